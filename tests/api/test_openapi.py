import re
from typing import Any


async def test_schema_is_openapi_3_1_titled_avthrift_api(client: Any) -> None:
    response = await client.get("/api/schema/")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    assert schema["info"]["title"] == "AVThrift API"
    assert {"/health", "/health/ready"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["BearerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }


async def test_schema_documents_problem_responses(client: Any) -> None:
    schema = (await client.get("/api/schema")).json()
    throttled = schema["paths"]["/health"]["get"]["responses"]["429"]
    assert "application/problem+json" in throttled["content"]
    ready = schema["paths"]["/health/ready"]["get"]["responses"]
    assert {"200", "429", "503"} <= set(ready)


async def test_docs_page_loads_only_assets_served_by_the_app(client: Any) -> None:
    page = await client.get("/api/docs/")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page.text)
    assert urls
    assert all(url.startswith("/api/docs/assets/") for url in urls), urls
    for url in urls:
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 100


async def test_unknown_paths_under_the_docs_root_are_problems(client: Any) -> None:
    for path in ("/api/0", "/api/swagger", "/api/docs/nothing-here"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json", path


async def test_schema_lists_only_api_operations(client: Any) -> None:
    paths = set((await client.get("/api/schema/")).json()["paths"])
    assert not any(path.startswith("/api/docs") or path.endswith("openapi.json") for path in paths), paths
