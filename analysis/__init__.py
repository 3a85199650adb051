"""Design-based analysis of the survey: weighting, estimation, indices, reports.

Layers, each using only those before it: :mod:`analysis.io` (responses,
margins and weights from CSV files or the database), :mod:`analysis.weighting`,
:mod:`analysis.estimation`, :mod:`analysis.indices` and
:mod:`analysis.reporting`; :mod:`analysis.cli` is the command line
(``python -m analysis``). Nothing here imports the web app.
"""
