"""``ckan longan harvest-due``: due sources get a job (ckanext-harvest's frequency/next_run), two
runs of a source never overlap, a stuck job is closed as failed with its reason and the source
runs again."""
from __future__ import annotations

import datetime as dt

import pytest
from ckan import model
from ckan.cli.cli import ckan
from ckanext.harvest import model as harvest_model
from ckanext.harvest import queue

from ckanext.longan_opendata.harvesters import ops as harvest_ops

from .conftest import create_source

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


@pytest.fixture()
def sources(shared_database, reader_env, sysadmin, org):
    made = {}
    for name, frequency, table in (("hang-ngay", "DAILY", "luong_mua_thang"),
                                   ("thu-cong", "MANUAL", "truong_hoc"),
                                   ("hang-tuan", "WEEKLY", "co_so_y_te")):
        config = {"url": shared_database["reader_url"], "password_env": reader_env,
                  "tables": [{"schema": "thong_ke", "table": table}]}
        made[name] = create_source(sysadmin, org, "longan_sql", shared_database["reader_url"],
                                   config, name=name, frequency=frequency)
    queue.purge_queues()
    # the weekly source ran yesterday: not due before next week
    source = harvest_model.HarvestSource.get(made["hang-tuan"]["id"])
    source.next_run = dt.datetime.utcnow() + dt.timedelta(days=6)
    source.save()
    yield made
    queue.purge_queues()


def _jobs(source_id: str) -> list[harvest_model.HarvestJob]:
    model.Session.remove()
    return (model.Session.query(harvest_model.HarvestJob).filter_by(source_id=source_id)
            .order_by(harvest_model.HarvestJob.created).all())


def _job(source_id: str, status: str, age: dt.timedelta) -> harvest_model.HarvestJob:
    job = harvest_model.HarvestJob(source_id=source_id, status=status)
    job.created = dt.datetime.utcnow() - age
    if status == "Running":
        job.gather_started = job.created
    job.save()
    return job


def test_only_due_sources_get_a_job(sources, cli):
    result = cli.invoke(ckan, ["longan", "harvest-due"])
    assert result.exit_code == 0, result.output
    [job] = _jobs(sources["hang-ngay"]["id"])
    assert job.status == "Running"  # sent to the gather queue
    assert _jobs(sources["thu-cong"]["id"]) == []
    assert _jobs(sources["hang-tuan"]["id"]) == []
    assert "0 đã đóng, 1 đã bắt đầu, 0 bỏ qua" in result.output
    # ckanext-harvest moved the daily source's next run one day on
    next_run = harvest_model.HarvestSource.get(sources["hang-ngay"]["id"]).next_run
    assert dt.timedelta(hours=23) < next_run - dt.datetime.utcnow() <= dt.timedelta(days=1)
    # and it is not due again: a second run starts nothing
    assert harvest_ops.run_due().started == []


def test_a_source_with_a_running_job_gets_no_second_one(sources):
    running = _job(sources["hang-ngay"]["id"], "Running", dt.timedelta(minutes=30))
    report = harvest_ops.run_due()
    assert report.started == [] and report.closed == []
    assert report.skipped == [sources["hang-ngay"]["id"]]
    assert [j.id for j in _jobs(sources["hang-ngay"]["id"])] == [running.id]
    assert _jobs(sources["hang-ngay"]["id"])[0].status == "Running"


@pytest.mark.ckan_config("ckanext.longan_opendata.harvest.stuck_timeout_minutes", "120")
def test_a_stuck_job_is_closed_with_its_reason_and_the_source_runs_again(sources, cli):
    stuck = _job(sources["hang-ngay"]["id"], "Running", dt.timedelta(hours=3))
    obj = harvest_model.HarvestObject(guid="x", job=stuck, source=stuck.source, state="FETCH")
    obj.save()
    # a manual source's job stuck in "New" (never picked up) is closed too, but not re-run
    new = _job(sources["thu-cong"]["id"], "New", dt.timedelta(hours=5))
    recent = _job(sources["hang-tuan"]["id"], "Running", dt.timedelta(minutes=90))

    result = cli.invoke(ckan, ["longan", "harvest-due"])
    assert result.exit_code == 0, result.output
    assert "2 đã đóng, 1 đã bắt đầu" in result.output

    first, second = _jobs(sources["hang-ngay"]["id"])
    assert first.id == stuck.id and first.status == "Finished" and first.finished
    [error] = first.gather_errors
    assert "bị đóng do quá thời gian" in error.message and "quá 120 phút" in error.message
    assert "closed as failed" not in error.message  # stored in the site default language only
    assert harvest_model.HarvestObject.get(obj.id).state == "ERROR"
    assert second.status == "Running"  # the next run started
    [closed_new] = _jobs(sources["thu-cong"]["id"])
    assert closed_new.id == new.id and closed_new.status == "Finished"
    [still] = _jobs(sources["hang-tuan"]["id"])  # younger than the timeout: left alone
    assert still.id == recent.id and still.status == "Running" and not still.gather_errors


def test_the_timeout_option_is_declared_with_a_day_by_default():
    from ckan.plugins import toolkit as tk

    assert tk.config.get(harvest_ops.TIMEOUT_OPTION) == 1440
