"""Operating harvests: scheduled runs and stuck jobs (``ckan longan harvest-due``).

Schedules are ckanext-harvest's own: a source's ``frequency`` (MANUAL, DAILY, WEEKLY, BIWEEKLY,
MONTHLY, ALWAYS) and ``next_run``; ``harvest_jobs_run`` creates a job for every active source that
is due, and never a second one for a source that has a New or Running job. This module adds what
it lacks: a job stuck in New/Running past a timeout is closed as failed with a bilingual reason
(recorded as a gather error, shown on the job page), its unfinished objects are marked as errors,
and its source becomes due so that the same run starts a new job.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject, HarvestSource

from ckanext.longan_opendata.lang import Message, in_default

log = logging.getLogger(__name__)

TIMEOUT_OPTION = "ckanext.longan_opendata.harvest.stuck_timeout_minutes"
UNFINISHED = ("New", "Running")


@dataclass
class DueReport:
    closed: list[str] = field(default_factory=list)  # ids of the stuck jobs closed
    started: list[str] = field(default_factory=list)  # ids of the jobs created by this run
    skipped: list[str] = field(default_factory=list)  # sources due but with a job in progress


def stuck_reason(job: HarvestJob, minutes: int, since: dt.datetime) -> str:
    """Why a stuck job was closed, in the site default language (it is stored)."""
    return in_default(Message(
        "Harvest job closed as failed: \"%(status)s\" since %(since)s UTC, more than "
        "%(minutes)s minutes (a harvest process has probably died). The next run starts afresh.",
        status=job.status, since=f"{since:%Y-%m-%d %H:%M}", minutes=minutes))


def close_stuck_jobs(minutes: int | None = None,
                     now: dt.datetime | None = None) -> list[str]:
    """Close the New/Running jobs older than ``minutes``; returns their ids."""
    if minutes is None:
        minutes = tk.config.get(TIMEOUT_OPTION)
    minutes = int(minutes)
    now = now or dt.datetime.utcnow()
    cutoff = now - dt.timedelta(minutes=minutes)
    closed = []
    for job in model.Session.query(HarvestJob).filter(HarvestJob.status.in_(UNFINISHED)).all():
        since = job.gather_started or job.created
        if since is None or since > cutoff:
            continue
        reason = stuck_reason(job, minutes, since)
        job.status = "Finished"
        job.finished = now
        if job.gather_started and not job.gather_finished:
            job.gather_finished = now
        model.Session.add(HarvestGatherError(message=reason, job=job))
        (model.Session.query(HarvestObject)
         .filter(HarvestObject.harvest_job_id == job.id)
         .filter(HarvestObject.state.notin_(("COMPLETE", "ERROR")))
         .update({"state": "ERROR", "report_status": "errored"}, synchronize_session=False))
        source = HarvestSource.get(job.source_id)
        if source is not None and source.frequency != "MANUAL":
            source.next_run = None  # due now: the run after closing starts it again
        log.warning("harvest job %s of source %s closed: stuck since %s", job.id, job.source_id,
                    since)
        closed.append(job.id)
    model.Session.commit()
    return closed


def _unfinished_sources() -> set[str]:
    rows = (model.Session.query(HarvestJob.source_id)
            .filter(HarvestJob.status.in_(UNFINISHED)).distinct().all())
    return {source_id for (source_id,) in rows}


def _due_sources() -> list[str]:
    """Active sources whose frequency makes them due (ckanext-harvest's ``only_to_run``)."""
    now = dt.datetime.utcnow()
    rows = (model.Session.query(HarvestSource.id)
            .filter(HarvestSource.active == True)  # noqa: E712
            .filter(HarvestSource.frequency != "MANUAL")
            .filter((HarvestSource.next_run == None) | (HarvestSource.next_run <= now))  # noqa: E711
            .all())
    return [source_id for (source_id,) in rows]


def run_due(minutes: int | None = None) -> DueReport:
    """Close stuck jobs, then let ckanext-harvest start the due sources and finish done jobs."""
    report = DueReport(closed=close_stuck_jobs(minutes))
    busy = _unfinished_sources()
    due = _due_sources()
    report.skipped = [s for s in due if s in busy]
    before = {job_id for (job_id,) in model.Session.query(HarvestJob.id).all()}
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    tk.get_action("harvest_jobs_run")({"user": site_user["name"]}, {})
    model.Session.remove()
    report.started = sorted(job_id for (job_id,) in model.Session.query(HarvestJob.id).all()
                            if job_id not in before)
    return report


def summary(report: DueReport) -> dict[str, Any]:
    return {"closed": len(report.closed), "started": len(report.started),
            "skipped": len(report.skipped)}
