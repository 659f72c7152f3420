"""Unit tests of allysite's modules, one file per module (a package, so that names such as
test_output do not clash with the end-to-end tests in tests/)."""
