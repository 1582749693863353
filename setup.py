"""Package discovery under one name: the folders core/, adapters/ and app/ install as scoregate.core,
scoregate.adapters and scoregate.app, with every package below them found, not listed.

Everything else is static, in pyproject.toml. This file exists because setuptools' ``packages.find``
reports names relative to the folder it searches and cannot put them under a namespace; a folder
named scoregate/ at the root would shadow the installed package for anything run from the root.
"""

from setuptools import find_namespace_packages, setup

TOP_LEVEL = ("core", "adapters", "app")


def _packages() -> list[str]:
    found = find_namespace_packages(include=[f"{top}*" for top in TOP_LEVEL], exclude=["*__pycache__*"])
    # Data folders below a package count as namespace packages (app/defaults/...); listing the
    # importable ones keeps setuptools from warning that it would ignore them.
    return [f"scoregate.{name}" for name in found if all(part.isidentifier() for part in name.split("."))]


setup(package_dir={f"scoregate.{top}": top for top in TOP_LEVEL}, packages=_packages())
