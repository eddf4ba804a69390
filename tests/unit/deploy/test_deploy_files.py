"""The Dockerfile, compose file and Kubernetes manifests match the real CLI, settings and files.

No Docker engine or cluster is needed: these read the files the way a user's tools would.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.cli import _parser
from shared.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
POLICY = DEPLOY / "policy" / "default.toml"
SERVICES = {"ingest", "triage", "notifier"}
SECRETS = ("VS_PII_KEY", "VS_USD_WEBHOOK_SECRET")
SETTINGS = {f"VS_{name.upper()}" for name in Settings.model_fields}


@cache
def yaml_docs(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def compose() -> dict[str, Any]:
    return yaml_docs(DEPLOY / "compose.yaml")[0]


def k8s(kind: str) -> list[dict[str, Any]]:
    return [d for p in sorted(K8S.glob("*.yaml")) for d in yaml_docs(p) if d.get("kind") == kind]


def workloads() -> list[dict[str, Any]]:
    """Pod specs of every Deployment and Job, with the owner's name."""
    return [
        {"owner": d["metadata"]["name"], **d["spec"]["template"]["spec"]}
        for d in k8s("Deployment") + k8s("Job")
    ]


def containers() -> list[dict[str, Any]]:
    return [c for pod in workloads() for c in pod["containers"]]


def by_name(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in items}


@cache
def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", (DEPLOY / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def docker_env() -> dict[str, str]:
    pairs = [word.split("=", 1) for op, a in dockerfile() if op == "ENV" for word in shlex.split(a)]
    return dict(pairs)


def cli_accepts(argv: list[str]) -> None:
    try:
        _parser().parse_args(argv)
    except SystemExit:
        pytest.fail(f"`vroegsignaal {' '.join(argv)}` is not a command the CLI accepts")


@pytest.mark.parametrize("path", [DEPLOY / "compose.yaml", *sorted(K8S.glob("*.yaml"))], ids=str)
def test_every_yaml_file_parses(path: Path) -> None:
    docs = yaml_docs(path)
    assert docs, f"{path} is empty"
    if path.parent == K8S and path.name != "kustomization.yaml":
        assert all({"apiVersion", "kind", "metadata"} <= doc.keys() for doc in docs)


def test_kustomization_applies_every_manifest_but_never_the_secret_template() -> None:
    kustomization = yaml_docs(K8S / "kustomization.yaml")[0]
    listed = set(kustomization["resources"])
    assert all((K8S / name).is_file() for name in listed)
    assert listed == {p.name for p in K8S.glob("*.yaml")} - {
        "kustomization.yaml",
        "secret.template.yaml",
    }
    # kustomize reads only files below deploy/k8s, so the policy there is a copy: keep it equal.
    assert (K8S / "policy.toml").read_bytes() == POLICY.read_bytes(), (
        "deploy/k8s/policy.toml differs: cp deploy/policy/default.toml deploy/k8s/policy.toml"
    )


def test_every_container_runs_a_real_cli_command() -> None:
    served = set()
    for container in containers():
        command = container["command"] + container.get("args", [])
        assert command[0] == "vroegsignaal"
        cli_accepts(command[1:])
        if command[1] == "serve":
            served.add(command[2])
    assert served == SERVICES
    assert ["vroegsignaal", "db", "upgrade"] in [c["command"] for c in containers()]

    commands = [s["command"] for s in compose()["services"].values() if "command" in s]
    for command in commands:
        cli_accepts(command)
    assert {c[1] for c in commands if c[0] == "serve"} == SERVICES

    entrypoint = [(op, a) for op, a in dockerfile() if op in ("ENTRYPOINT", "CMD")]
    assert entrypoint[0] == ("ENTRYPOINT", '["vroegsignaal"]')
    cli_accepts(yaml.safe_load(entrypoint[-1][1]))


def test_every_vs_variable_named_anywhere_is_a_real_setting() -> None:
    files = [DEPLOY / "Dockerfile", DEPLOY / "compose.yaml", *K8S.glob("*.yaml")]
    for path in files:
        unknown = set(re.findall(r"\bVS_[A-Z0-9_]+", path.read_text())) - SETTINGS
        assert not unknown, f"{path.name} names settings that do not exist: {sorted(unknown)}"


def test_probes_and_healthchecks_use_the_health_endpoints() -> None:
    for container in containers():
        if container["command"][1] != "serve":
            continue
        port = by_name(container["ports"])["http"]["containerPort"]
        probes = {
            k: container[f"{k}Probe"]["httpGet"] for k in ("startup", "liveness", "readiness")
        }
        assert {k: p["path"] for k, p in probes.items()} == {
            "startup": "/healthz",
            "liveness": "/healthz",
            "readiness": "/readyz",
        }
        assert all(p["port"] in ("http", port) for p in probes.values())
        assert container["command"][-2:] == ["--port", str(port)]

    for name in SERVICES:
        check = " ".join(compose()["services"][name]["healthcheck"]["test"])
        assert "http://127.0.0.1:8000/readyz" in check
    assert any(op == "HEALTHCHECK" and "/healthz" in a for op, a in dockerfile())


def test_dockerfile_builds_a_non_root_image_with_the_policy_and_no_secrets() -> None:
    ops = [op for op, _ in dockerfile()]
    args = {op: a for op, a in dockerfile()}  # the last of each instruction
    assert ops.count("FROM") >= 2, "multi-stage: a builder and a runtime stage"
    assert any(
        a.startswith("PYTHON_IMAGE=python:3.11-slim") for op, a in dockerfile() if op == "ARG"
    )
    assert args["USER"].split(":")[0] not in ("root", "0")
    assert args["USER"].startswith("10001")
    assert args["EXPOSE"] == "8000"
    assert "HEALTHCHECK" in ops

    env = docker_env()
    copies = [a.split() for op, a in dockerfile() if op == "COPY" and "--from" not in a]
    policy = [dest for *sources, dest in copies if "deploy/policy/default.toml" in sources]
    assert (ROOT / "deploy/policy/default.toml").is_file()
    assert policy == [env["VS_POLICY_FILE"]]
    assert env["VS_DATA_DIR"].startswith("/tmp/")
    assert not {"VS_DATABASE_URL", *SECRETS} & env.keys()


def test_dockerignore_lets_in_exactly_what_the_wheel_is_built_from() -> None:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    allowed = {line[1:] for line in lines if line.startswith("!")}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = {p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    needed = {"pyproject.toml", project["project"]["readme"], "deploy/policy/default.toml"}
    assert needed | packages <= allowed
    assert "*" in lines, "an allow-list keeps .env files, keys and .git out of the build context"
    assert not any(".env" in entry for entry in allowed)


def test_compose_reads_secrets_from_the_environment_and_fails_fast_without_them() -> None:
    services = compose()["services"]
    for name in SERVICES | {"migrate"}:
        env = services[name]["environment"]
        assert re.fullmatch(r"\$\{VS_PII_KEY:\?[^}]+\}", env["VS_PII_KEY"])
        assert "${POSTGRES_PASSWORD:?" in env["VS_DATABASE_URL"]
    notifier = services["notifier"]["environment"]
    for var in ("VS_USD_WEBHOOK_URL", "VS_USD_WEBHOOK_SECRET"):
        assert re.fullmatch(rf"\$\{{{var}:\?[^}}]+\}}", notifier[var])
    password = services["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert re.fullmatch(r"\$\{POSTGRES_PASSWORD:\?[^}]+\}", password)


def test_compose_starts_services_after_migrations_and_a_healthy_broker() -> None:
    services = compose()["services"]
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["postgres"]["image"].startswith("postgres:16")
    assert re.fullmatch(r"apache/kafka:4\.1\.\d+", services["kafka"]["image"])
    assert "healthcheck" in services["postgres"] and "healthcheck" in services["kafka"]
    for name, host_port in {"ingest": 8000, "triage": 8001, "notifier": 8002}.items():
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["kafka"]["condition"] == "service_healthy"
        assert services[name]["ports"] == [f"{host_port}:8000"]


PLACEHOLDERS = frozenset({"changeme", "whsec_changeme"})


def test_secret_template_holds_only_placeholders_the_app_refuses() -> None:
    (secret,) = yaml_docs(K8S / "secret.template.yaml")
    values: dict[str, str] = secret["stringData"]
    assert set(values) <= SETTINGS
    for key, value in values.items():
        assert "changeme" in value or "example.org" in value, f"{key} is not a placeholder"
        tokens = re.findall(r"[A-Za-z0-9+_-]{16,}", value)
        assert not [t for t in tokens if re.search(r"\d", t)], f"{key} looks like a real key"
    assert all(values[key] in PLACEHOLDERS for key in SECRETS)
    settings = Settings(
        **{k.removeprefix("VS_").lower(): v for k, v in values.items()},
        kafka_bootstrap_servers="kafka:9092",
    )
    with pytest.raises(SettingsError, match=r"VS_PII_KEY.*VS_USD_WEBHOOK_SECRET"):
        settings.check_production()

    refs = [
        e["valueFrom"]["secretKeyRef"] for c in containers() for e in c["env"] if "valueFrom" in e
    ]
    assert {r["name"] for r in refs} == {secret["metadata"]["name"]}
    assert {r["key"] for r in refs} == set(values)


def test_policy_mount_matches_vs_policy_file_everywhere() -> None:
    (config,) = k8s("ConfigMap")
    policy_file = config["data"]["VS_POLICY_FILE"]
    assert policy_file == docker_env()["VS_POLICY_FILE"]
    generated = yaml_docs(K8S / "kustomization.yaml")[0]["configMapGenerator"]
    (policy_map,) = [g for g in generated if g["name"] == "vroegsignaal-policy"]
    (key,) = [entry.split("=", 1)[0] for entry in policy_map["files"]]
    triage = next(pod for pod in workloads() if pod["owner"] == "vroegsignaal-triage")
    volume = next(
        v for v in triage["volumes"] if v.get("configMap", {}).get("name") == "vroegsignaal-policy"
    )
    (mount,) = [m for m in triage["containers"][0]["volumeMounts"] if m["name"] == volume["name"]]
    assert f"{mount['mountPath']}/{key}" == policy_file


def test_pods_run_non_root_on_a_read_only_root_with_bounded_memory() -> None:
    for pod in workloads():
        assert pod["securityContext"]["runAsNonRoot"] is True, pod["owner"]
        tmp = {v["name"] for v in pod["volumes"] if "emptyDir" in v}
        for container in pod["containers"]:
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            assert {m["mountPath"] for m in container["volumeMounts"] if m["name"] in tmp} == {
                "/tmp"
            }
            assert {"cpu", "memory"} <= container["resources"]["requests"].keys()
            assert "memory" in container["resources"]["limits"]
    ingest = by_name(containers())["ingest"]
    assert ingest["resources"]["limits"]["memory"] == "300Mi"


def test_triage_runs_two_consumers_guarded_by_a_disruption_budget() -> None:
    deployments = {d["metadata"]["name"]: d for d in k8s("Deployment")}
    triage = deployments["vroegsignaal-triage"]
    assert triage["spec"]["replicas"] >= 2
    (budget,) = k8s("PodDisruptionBudget")
    assert budget["spec"]["selector"]["matchLabels"] == triage["spec"]["selector"]["matchLabels"]
    assert budget["spec"]["minAvailable"] == 1
    for service in k8s("Service"):
        deployment = deployments[service["metadata"]["name"]]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert service["spec"]["selector"].items() <= labels.items()


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_builds_the_manifests() -> None:
    built = subprocess.run(
        ["kubectl", "kustomize", str(K8S)], capture_output=True, text=True, timeout=60, check=False
    )
    assert built.returncode == 0, built.stderr
    kinds = [doc["kind"] for doc in yaml.safe_load_all(built.stdout)]
    assert sorted(kinds) == sorted(
        ["ConfigMap"] * 2 + ["Deployment", "Service"] * 3 + ["Job", "PodDisruptionBudget"]
    )
    assert "name: vroegsignaal-policy-" in built.stdout  # the mount follows the hashed name
