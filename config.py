"""The forum's configuration, for scripts and tools run from a checkout.

The settings themselves live in `forum/settings.py`, inside the package, so that an installed forum
(`pip install .`, a wheel) carries them and no top-level module named `config` is installed or can
shadow another. Change them through the environment (README, "Configuration"), through `config.py`
in the instance folder, or by passing a mapping to `forum.create_app`.
"""
from forum.settings import (  # noqa: F401
    Config,
    ProductionConfig,
    TestConfig,
    generate_secret_key,
    normalise_database_url,
)
