"""The tests hash passwords at argon2's lowest cost (tests/conftest.py); the product
never does: it hashes at argon2-cffi's default cost (RFC 9106, low memory), and a test
marked ``real_password_cost`` gets that cost back."""

from __future__ import annotations

import subprocess
import sys

import pytest
from argon2 import PasswordHasher, extract_parameters
from argon2.profiles import RFC_9106_LOW_MEMORY

from tests.browser import ROOT
from zones.people import accounts

PRODUCT = RFC_9106_LOW_MEMORY


def test_the_product_hashes_at_argon2s_default_cost():
    """Outside the tests (a fresh interpreter, as a server or the CLI runs)."""
    made = subprocess.run(
        [sys.executable, "-c", "from zones.people import accounts; "
         "print(accounts._HASHER.hash('mật-khẩu-2021'))"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True).stdout.strip()
    got = extract_parameters(made)
    assert (got.time_cost, got.memory_cost, got.parallelism) == (
        PRODUCT.time_cost, PRODUCT.memory_cost, PRODUCT.parallelism)
    assert PasswordHasher().verify(made, "mật-khẩu-2021")


def test_tests_hash_cheaply_but_check_any_cost():
    made = accounts._HASHER.hash("mật-khẩu-2021")
    assert extract_parameters(made).memory_cost < PRODUCT.memory_cost
    real = PasswordHasher.from_parameters(PRODUCT).hash("mật-khẩu-2021")
    assert accounts._HASHER.verify(real, "mật-khẩu-2021")  # a hash says how to check it


@pytest.mark.real_password_cost
def test_a_marked_test_hashes_at_the_products_cost():
    got = extract_parameters(accounts._HASHER.hash("mật-khẩu-2021"))
    assert (got.time_cost, got.memory_cost, got.parallelism) == (
        PRODUCT.time_cost, PRODUCT.memory_cost, PRODUCT.parallelism)
    assert extract_parameters(accounts._dummy_hash()).memory_cost == PRODUCT.memory_cost
