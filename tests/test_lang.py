"""Messages of the catalogue translated when shown (ckanext.longan_opendata.lang), nested, in any
offered language; the CKAN-free catalogue of the doctor."""
from __future__ import annotations

from ckanext.longan_opendata.harvesters.config import ConfigError, err
from ckanext.longan_opendata.lang import Message, catalogue, in_default, in_language


def test_a_nested_message_is_translated_whole_in_each_language():
    error = err("url", "invalid URL")
    message = Message("%(where)s: %(error)s", where="thong_ke.dan_so", error=error)
    assert in_language(message, "vi") == "thong_ke.dan_so: url: URL không hợp lệ"
    assert in_language(message, "en") == "thong_ke.dan_so: url: invalid URL"
    assert in_default(message) == in_language(message, "vi")  # ckan.locale_default = vi
    assert str(message) == in_default(message)  # outside a request: the site default


def test_parameters_are_kept_and_a_plain_config_error_too():
    error = err("defaults.frequency", "unknown frequency '%(value)s'", value="hourly")
    assert in_language(error, "vi") == "defaults.frequency: tần suất không hợp lệ 'hourly'"
    assert error.key == "defaults.frequency"
    plain = ConfigError(ValueError("boom"), "url")  # an exception as the message
    assert in_language(plain, "en") == "url: boom"


def test_the_doctor_reads_the_catalogue_without_ckan():
    message = Message("Solr is up with schema %(name)s", name="ckan-2.12")
    assert message.text(catalogue("vi")) == "Solr sẵn sàng, lược đồ ckan-2.12"
    assert message.text(catalogue("en")) == "Solr is up with schema ckan-2.12"
    assert message.text(catalogue("km")) == "Solr is up with schema ckan-2.12"  # no catalogue
