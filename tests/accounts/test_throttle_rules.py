from meetbridge.accounts.throttle import PER_ACCOUNT, PER_ADDRESS, is_throttled


def test_throttled_by_account_or_by_address():
    assert not is_throttled(PER_ACCOUNT - 1, PER_ADDRESS - 1)
    assert is_throttled(PER_ACCOUNT, 0)
    assert is_throttled(0, PER_ADDRESS)
