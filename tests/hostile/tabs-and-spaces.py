"""Double-entry ledger used by the Acme payments service (fictional, written for the leakguard demo)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

SETTLEMENT_ACCOUNT = "acme:settlement:eur"
MAX_BATCH_POSTINGS = 500


class LedgerImbalance(Exception):
	 	 pass


@dataclass
class Posting:
	 	 account: str
	 	 amount_minor: int
	 	 currency: str
	 	 memo: str = ""


@dataclass
class JournalEntry:
	 	 reference: str
	 	 postings: list[Posting] = field(default_factory=list)

	 	 def add(self, account: str, amount_minor: int, currency: str, memo: str = "") -> None:
	 	 	 	 if len(self.postings) >= MAX_BATCH_POSTINGS:
	 	 	 	 	 	 raise LedgerImbalance(f"entry {self.reference} exceeds {MAX_BATCH_POSTINGS} postings")
	 	 	 	 self.postings.append(Posting(account, amount_minor, currency, memo))

	 	 def balance_by_currency(self) -> dict[str, int]:
	 	 	 	 totals: dict[str, int] = {}
	 	 	 	 for posting in self.postings:
	 	 	 	 	 	 totals[posting.currency] = totals.get(posting.currency, 0) + posting.amount_minor
	 	 	 	 return totals

	 	 def assert_balanced(self) -> None:
	 	 	 	 for currency, total in self.balance_by_currency().items():
	 	 	 	 	 	 if total != 0:
	 	 	 	 	 	 	 	 raise LedgerImbalance(f"entry {self.reference} is off by {total} in {currency}")


def split_fee(gross_minor: int, fee_basis_points: int, minimum_fee_minor: int = 25) -> tuple[int, int]:
	 	 """Split a gross amount into (net, fee) using banker's rounding on the fee."""
	 	 fee = (Decimal(gross_minor) * Decimal(fee_basis_points) / Decimal(10_000)).quantize(
	 	 	 	 Decimal(1), rounding=ROUND_HALF_EVEN
	 	 )
	 	 fee_minor = max(int(fee), minimum_fee_minor)
	 	 if fee_minor > gross_minor:
	 	 	 	 fee_minor = gross_minor
	 	 return gross_minor - fee_minor, fee_minor


def settle_card_payment(reference: str, merchant_account: str, gross_minor: int, currency: str,
	 	 	 	 	 	 	 	 	 	 	 	 fee_basis_points: int) -> JournalEntry:
	 	 entry = JournalEntry(reference)
	 	 net_minor, fee_minor = split_fee(gross_minor, fee_basis_points)
	 	 entry.add(SETTLEMENT_ACCOUNT, -gross_minor, currency, "card capture")
	 	 entry.add(merchant_account, net_minor, currency, "merchant payout")
	 	 entry.add("acme:revenue:fees", fee_minor, currency, "processing fee")
	 	 entry.assert_balanced()
	 	 return entry


def reconcile(entries: list[JournalEntry], bank_total_minor: int, currency: str) -> list[str]:
	 	 mismatches = []
	 	 running = 0
	 	 for entry in entries:
	 	 	 	 for posting in entry.postings:
	 	 	 	 	 	 if posting.account == SETTLEMENT_ACCOUNT and posting.currency == currency:
	 	 	 	 	 	 	 	 running -= posting.amount_minor
	 	 	 	 if running > bank_total_minor:
	 	 	 	 	 	 mismatches.append(entry.reference)
	 	 if running != bank_total_minor:
	 	 	 	 mismatches.append(f"total:{running - bank_total_minor}")
	 	 return mismatches
