from __future__ import annotations

import pytest


@pytest.fixture
def csv_file(tmp_path):
    def make(text: str, *, encoding: str = "utf-8", name: str = "leads.csv"):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path
    return make


@pytest.fixture
def api_for(db):
    from tests.api.conftest import Api
    from voronka.accounts.services import api_token_create

    def make(user) -> Api:
        _token, raw = api_token_create(user=user)
        return Api(raw)
    return make
