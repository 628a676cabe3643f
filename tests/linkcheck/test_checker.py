"""The real checker against files served on 127.0.0.1: status, final URL, content type, size,
format, redirects, timeouts, the SSRF guard on every hop, the per-host cap."""
from __future__ import annotations

import threading
import time

import pytest

from ckanext.longan_opendata.linkcheck import checker
from ckanext.longan_opendata.security import netguard
from tests.linkcheck.files import BIG_CSV, CSV

SETTINGS = checker.Settings(timeout=1.0, per_host=2, interval=0.0, max_bytes=100_000,
                            max_redirects=3, workers=4)


def _check(files, path: str, fmt: str, settings: checker.Settings = SETTINGS) -> dict:
    return checker.check_url(files.url + path, fmt, netguard.guarded_session(),
                             checker.HostThrottle(settings.per_host, settings.interval), settings)


def test_a_good_csv(files):
    found = _check(files, "/ok.csv", "CSV")
    assert found == {"url": files.url + "/ok.csv", "status": "ok", "http_status": 206,
                     "final_url": files.url + "/ok.csv", "content_type": "text/csv",
                     "size": len(CSV), "format_ok": True, "error": None}


@pytest.mark.parametrize(("path", "fmt", "status", "format_ok", "error"), [
    ("/missing.csv", "CSV", "broken", None, "HTTP 404"),
    ("/fake.csv", "CSV", "mislabelled", False, "an HTML or XML page, not CSV"),
    ("/good.json", "JSON", "ok", True, None),
    ("/good.json", "GeoJSON", "ok", True, None),
    ("/bad.json", "JSON", "mislabelled", False, "JSON does not parse"),
    ("/book.xlsx", "XLSX", "ok", True, None),
    ("/fake.xlsx", "XLSX", "mislabelled", False, "not a zip file"),
    ("/ok.csv", "HTML", "ok", None, None),
    ("/loop-a", "CSV", "broken", None, "redirect loop"),
])
def test_statuses(files, path, fmt, status, format_ok, error):
    found = _check(files, path, fmt)
    assert (found["status"], found["format_ok"]) == (status, format_ok)
    assert (found["error"] or "").startswith(error or "")


def test_an_unchecked_format_needs_only_a_head(files):
    files.requests.clear()
    assert _check(files, "/ok.csv", "PDF")["status"] == "mislabelled"  # PDF is checked
    files.requests.clear()
    assert _check(files, "/ok.csv", "HTML")["size"] == len(CSV)
    assert files.requests == [("HEAD", "/ok.csv")]


def test_a_refused_head_falls_back_to_a_ranged_get(files):
    files.requests.clear()
    found = _check(files, "/nohead.csv", "CSV")
    assert found["status"] == "ok" and found["http_status"] == 206
    assert files.requests == [("HEAD", "/nohead.csv"), ("GET", "/nohead.csv")]


def test_a_redirect_records_the_final_url(files):
    found = _check(files, "/moved.csv", "CSV")
    assert found["status"] == "ok" and found["final_url"] == files.url + "/ok.csv"


def test_every_hop_passes_the_ssrf_guard(files):
    found = _check(files, "/to-internal.csv", "CSV")
    assert found["status"] == "broken"
    assert found["error"] == "address not allowed: 10.1.2.3"
    assert found["final_url"] == "http://10.1.2.3/secret.csv"


def test_a_slow_server_times_out(files):
    started = time.monotonic()
    found = _check(files, "/slow.csv", "CSV")
    assert found["status"] == "broken" and found["error"] == "timed out after 1 s"
    assert time.monotonic() - started < 5


def test_a_large_file_is_judged_on_a_bounded_prefix(files):
    files.requests.clear()
    found = _check(files, "/big.csv", "CSV")
    assert found["status"] == "ok" and found["size"] == len(BIG_CSV) > SETTINGS.max_bytes
    assert files.requests[-1] == ("GET", "/big.csv")


def test_the_per_host_cap_holds():
    throttle = checker.HostThrottle(per_host=2, interval=0.0)
    inside, peak, lock = [0], [0], threading.Lock()
    go = threading.Barrier(6)

    def work():
        go.wait()
        with throttle.slot("example.org"):
            with lock:
                inside[0] += 1
                peak[0] = max(peak[0], inside[0])
            time.sleep(0.05)  # a request in flight
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak[0] == 2


def test_the_polite_interval_spaces_starts():
    throttle = checker.HostThrottle(per_host=5, interval=0.1)
    starts = []
    for _ in range(3):
        with throttle.slot("example.org"):
            starts.append(time.monotonic())
    assert starts[2] - starts[0] >= 0.19
