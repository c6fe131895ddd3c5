"""Package layout (the metadata is in pyproject.toml).

The engine lives in ``homeops_gen/``; the layer generators and their templates stay in the
top-level ``generators/`` and ``templates/`` folders, where the architecture shows, and are
installed as ``homeops_gen.generators`` and ``homeops_gen.templates``. Every folder below
those roots is discovered, so a new subpackage or template folder cannot be left out.
"""

from setuptools import find_namespace_packages, setup

ROOTS = {
    "homeops_gen": "homeops_gen",
    "homeops_gen.generators": "generators",
    "homeops_gen.templates": "templates",
}

packages: list[str] = []
package_dir: dict[str, str] = {}
for package, folder in ROOTS.items():
    package_dir[package] = folder
    packages.append(package)
    found = find_namespace_packages(folder, exclude=["__pycache__", "*.__pycache__"])
    packages += [f"{package}.{sub}" for sub in found if sub not in ROOTS]

setup(
    packages=packages,
    package_dir=package_dir,
    package_data={package: ["py.typed", "*.j2", "**/*.j2"] for package in packages},
)
