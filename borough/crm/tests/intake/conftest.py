"""Fixtures of the intake-speed tests (made in borough.crm.tests.case_factories)."""

from borough.crm.tests.case_factories import catalogue  # noqa: F401 - a fixture
