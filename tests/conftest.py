"""Test-session setup shared by every test module."""

import os

# scikit-learn's array-API dispatch (tests/test_array_api.py) needs scipy's
# array-API support, which scipy reads once, when it is first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
