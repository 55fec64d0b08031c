"""What `make up` and `make demo` say of the office's pages: where they are, and in development
one account per role to try them."""

from __future__ import annotations

import os
from pathlib import Path

from rich.console import Console
from rich.table import Table

from shared.development_accounts import development_accounts
from shared.reference import load_reference_data
from shared.settings import SHIPPED_REFERENCE_DATA


def print_office(console: Console, port: int) -> None:
    console.print(f"Trang làm việc của văn phòng: http://127.0.0.1:{port}/")
    if os.environ.get("NGHEDAN_DEVELOPMENT", "1") not in ("1", "true", "yes"):
        return
    reference = Path(os.environ.get("NGHEDAN_REFERENCE_DATA", SHIPPED_REFERENCE_DATA))
    table = Table(title="Tài khoản thử (chỉ khi chạy thử trên máy mình; mật khẩu thu-<tên>)")
    for column in ("tên đăng nhập", "mật khẩu", "vai trò"):
        table.add_column(column)
    for account in development_accounts(load_reference_data(reference)):
        table.add_row(account.name, account.password, account.role_vi)
    console.print(table)
