"""Settings modules: ``development`` (the default), ``test`` and ``production``.

Every value that differs between machines comes from the environment (see ``env.py`` and the README).
"""
