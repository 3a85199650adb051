"""The structure the office manages as data: unit kinds, respondent groups, questionnaire versions, programmes.

Decisions change the kinds of units (the 2025 arrangement removed districts),
the groups surveyed and the index schemes from year to year, so none of them
is a Python constant: a kind, a group or a programme is a row, loaded from the
shipped files in ``questionnaires/`` or made in the console
(``services/programmes.py``).

A programme (bộ chỉ số) ties together the kinds of units it assesses, its
respondent groups with one questionnaire version each, and its index schemes
(kept as their source text, so a scheme can be re-read exactly as it was when
a round ran). A round runs one or more programmes (``round_programmes``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import Base, JSONType, UTCDateTime, utcnow

# How members of a group are reached: the product's channels, so code, not data.
REACH_CHANNELS = ("desk_qr", "slip", "kiosk", "link", "interviewer", "paper")
TIERS = ("province", "commune", "district")
PROGRAMME_KINDS = ("sipas", "par")


class QuestionnaireVersion(Base):
    """One exact text of a questionnaire file, identified by its content hash.

    A version is never edited: a changed file is a new version, so responses
    always point at the exact questions their respondents saw.
    """

    __tablename__ = "questionnaire_versions"
    __table_args__ = (UniqueConstraint("group_code", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_code: Mapped[str] = mapped_column(String(20))
    content_hash: Mapped[str] = mapped_column(String(64))
    # Deferred: the parsed form is cached by hash, so the text is read only once per process.
    source: Mapped[str] = mapped_column(Text, deferred=True)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def short_version(self) -> str:
        return self.content_hash[:12]


class UnitKind(Base):
    """A kind of administrative unit (tỉnh, sở, xã, phường, đặc khu, ...)."""

    __tablename__ = "unit_kinds"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    # Spellings imports accept besides the code ("phường", "Phường", "ward"); compared case-insensitively.
    aliases: Mapped[list[str]] = mapped_column(JSONType, default=list)
    tier: Mapped[str] = mapped_column(String(20), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_vi


class RespondentGroup(Base):
    """A group of respondents: who they are, how they are reached, whether all of them are surveyed."""

    __tablename__ = "respondent_groups"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    reached_by: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # A census (officials): everyone is surveyed, response rates reported, small cells suppressed.
    census: Mapped[bool] = mapped_column(Boolean, default=False)
    about_kinds: Mapped[list[str]] = mapped_column(JSONType, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_vi

    @property
    def by_link(self) -> bool:
        """Invited personally (contact list and email link) rather than met at a desk."""
        return "link" in (self.reached_by or [])

    @property
    def at_desk(self) -> bool:
        return "desk_qr" in (self.reached_by or [])


class Programme(Base):
    """A programme (bộ chỉ số): units assessed, groups with their questionnaires, schemes."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title_vi: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(10), default="par")
    basis: Mapped[str] = mapped_column(Text, default="")
    # Said wherever the programme's figures are shown when any is not from a decision we could read.
    unofficial_note_vi: Mapped[str] = mapped_column(Text, default="")
    unofficial_note_en: Mapped[str] = mapped_column(Text, default="")
    period: Mapped[str] = mapped_column(String(40), default="")
    # The programme file's text when it was loaded from one (empty when made in the console).
    source: Mapped[str] = mapped_column(Text, default="")
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    groups: Mapped[list[ProgrammeGroup]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="ProgrammeGroup.position")
    schemes: Mapped[list[ProgrammeScheme]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="ProgrammeScheme.position")
    unit_kinds: Mapped[list[ProgrammeUnitKind]] = relationship(
        back_populates="programme", cascade="all, delete-orphan")

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" and self.title_en else self.title_vi

    def unofficial_note(self, lang: str) -> str:
        return self.unofficial_note_en if lang == "en" and self.unofficial_note_en else self.unofficial_note_vi

    @property
    def kind_codes(self) -> list[str]:
        return [link.kind_code for link in self.unit_kinds]


class ProgrammeGroup(Base):
    """A group of a programme and the questionnaire version it answers (None until chosen)."""

    __tablename__ = "programme_groups"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True)
    group_code: Mapped[str] = mapped_column(ForeignKey("respondent_groups.code"), primary_key=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("questionnaire_versions.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    programme: Mapped[Programme] = relationship(back_populates="groups")
    group: Mapped[RespondentGroup] = relationship()
    version: Mapped[QuestionnaireVersion | None] = relationship()


class ProgrammeScheme(Base):
    """An index scheme of a programme, stored as its YAML text (read by ``analysis.indices``)."""

    __tablename__ = "programme_schemes"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)

    programme: Mapped[Programme] = relationship(back_populates="schemes")


class ProgrammeUnitKind(Base):
    __tablename__ = "programme_unit_kinds"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True)
    kind_code: Mapped[str] = mapped_column(ForeignKey("unit_kinds.code"), primary_key=True)

    programme: Mapped[Programme] = relationship(back_populates="unit_kinds")


class RoundProgramme(Base):
    """A programme a round runs."""

    __tablename__ = "round_programmes"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), primary_key=True)

    programme: Mapped[Programme] = relationship()
