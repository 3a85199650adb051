"""What each kind of background job does (registered with services/jobs.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from survey_app.models import Round
from survey_app.services.jobs import JobError, Progress, handler


@handler("analysis")
def analysis_job(session: Session, params: Mapping[str, Any], progress: Progress,
                 config: Mapping[str, Any]) -> dict[str, Any]:
    """Weight, estimate and rank the round's responses; store the figures as a new analysis run."""
    from survey_app.services.results import compute, schemes_for_round, store_run

    round_ = session.get(Round, int(params["round_id"]))
    if round_ is None:
        raise JobError("the round no longer exists")
    schemes = schemes_for_round(session, round_, str(config["QUESTIONNAIRE_DIR"]))
    payload = compute(session, round_, schemes, min_n=int(params.get("min_n", 10)), progress=progress)
    run = store_run(session, round_, payload)
    session.flush()
    return {"run_id": run.id, "responses": run.responses}
