"""An inventory ledger per SKU and location.

Rules:
- quantities are kept per condition (sellable, unsellable, reserved, inbound) and never go negative;
- a reservation takes sellable units into `reserved`; asking for more than is sellable is refused;
- every position has a sequence number that only increases: an absolute update must carry a number greater
  than the last accepted one, or it is refused and changes nothing (External Fulfillment's rule, seed 003);
- each location belongs to one channel: "AFN" (Amazon's fulfilment network) or "MFN" (merchant-fulfilled,
  including seller-flex sites).

The ledger keeps positions in any mutable mapping, so the mock can back it with SQLite and the integration with a
dict; the rules live here once.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable, Iterator, MutableMapping

CONDITIONS = ("sellable", "unsellable", "reserved", "inbound")
CHANNELS = ("AFN", "MFN")


class InventoryError(ValueError):
    """An inventory change that the rules refuse; nothing was changed."""


class StaleSequence(InventoryError):
    def __init__(self, sku: str, location: str, sent: int, last: int):
        self.sku, self.location, self.sent, self.last = sku, location, sent, last
        super().__init__(f"sequence number {sent} for SKU {sku!r} at {location!r} is not greater than the last "
                         f"accepted one ({last})")


@dataclass
class Position:
    sku: str
    location: str
    channel: str = "MFN"
    sellable: int = 0
    unsellable: int = 0
    reserved: int = 0
    inbound: int = 0
    sequence: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


class Ledger:
    def __init__(self, positions: MutableMapping[tuple[str, str], Position] | None = None):
        self.positions: MutableMapping[tuple[str, str], Position] = {} if positions is None else positions

    # reading
    def get(self, sku: str, location: str) -> Position | None:
        return self.positions.get((sku, location))

    def __iter__(self) -> Iterator[Position]:
        return iter(self.positions.values())

    def positions_of(self, sku: str) -> list[Position]:
        """Every location's position of `sku` (a stored mapping may answer this with an index)."""
        by_sku = getattr(self.positions, "for_sku", None)
        return by_sku(sku) if by_sku else [p for p in self.positions.values() if p.sku == sku]

    def by_sku(self, channel: str | None = None) -> dict[str, list[Position]]:
        """Every position (of one `channel`, if given), grouped by SKU: one pass, for reports over the whole
        catalog (a stored mapping may filter the channel with a query)."""
        in_channel = getattr(self.positions, "in_channel", None)
        positions: Iterable[Position]
        if channel is None:
            positions = self.positions.values()
        elif in_channel is not None:
            positions = in_channel(channel)
        else:
            positions = [p for p in self.positions.values() if p.channel == channel]
        grouped: dict[str, list[Position]] = {}
        for position in positions:
            grouped.setdefault(position.sku, []).append(position)
        return grouped

    def total(self, sku: str, condition: str = "sellable", channel: str | None = None) -> int:
        _check_condition(condition)
        return sum(getattr(p, condition) for p in self.positions_of(sku) if channel is None or p.channel == channel)

    # writing: each method checks everything first, then changes the position and stores it back.
    def _position_for(self, sku: str, location: str, channel: str) -> Position:
        """The position of `sku` at `location`, or a new empty one (stored only once a change is accepted)."""
        if channel not in CHANNELS:
            raise InventoryError(f"unknown channel {channel!r}; expected one of {', '.join(CHANNELS)}")
        if not sku or not location:
            raise InventoryError("SKU and location must not be empty")
        position = self.positions.get((sku, location))
        return Position(sku, location, channel) if position is None else position

    def set_quantity(self, sku: str, location: str, quantity: int, sequence: int | None = None,
                     condition: str = "sellable", channel: str = "MFN") -> Position:
        """Set an absolute quantity; with `sequence`, only if it is greater than the last accepted one."""
        _check_condition(condition)
        _check_count("quantity", quantity)
        if sequence is not None and (isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 1):
            raise InventoryError(f"sequence number must be a positive integer, got {sequence!r}")
        position = self._position_for(sku, location, channel)
        if sequence is not None:
            if sequence <= position.sequence:
                raise StaleSequence(sku, location, sequence, position.sequence)
            position.sequence = sequence
        setattr(position, condition, quantity)
        return self._store(position)

    def adjust(self, sku: str, location: str, delta: int, condition: str = "sellable",
               channel: str = "MFN") -> Position:
        _check_condition(condition)
        if isinstance(delta, bool) or not isinstance(delta, int):
            raise InventoryError(f"delta must be an integer, got {delta!r}")
        position = self._position_for(sku, location, channel)
        after = getattr(position, condition) + delta
        if after < 0:
            raise InventoryError(f"{condition} quantity of {sku!r} at {location!r} would go negative "
                                 f"({getattr(position, condition)} {delta:+d})")
        setattr(position, condition, after)
        return self._store(position)

    def reserve(self, sku: str, location: str, quantity: int) -> Position:
        """Sellable units promised to an order."""
        return self._move(sku, location, quantity, "sellable", "reserved", "reserve")

    def release(self, sku: str, location: str, quantity: int) -> Position:
        """Give reserved units back to sellable (a cancelled order)."""
        return self._move(sku, location, quantity, "reserved", "sellable", "release")

    def consume(self, sku: str, location: str, quantity: int) -> Position:
        """Reserved units leave the building (a shipped order)."""
        return self._move(sku, location, quantity, "reserved", None, "ship")

    def receive(self, sku: str, location: str, quantity: int) -> Position:
        """Inbound units become sellable."""
        return self._move(sku, location, quantity, "inbound", "sellable", "receive")

    def _move(self, sku: str, location: str, quantity: int, source: str, destination: str | None,
              verb: str) -> Position:
        """`quantity` units from one condition to another (or out of the building), never below zero."""
        _check_count("quantity", quantity)
        position = self._existing(sku, location)
        available = getattr(position, source)
        if quantity > available:
            raise InventoryError(f"cannot {verb} {quantity} of {sku!r} at {location!r}: only {available} {source}")
        setattr(position, source, available - quantity)
        if destination is not None:
            setattr(position, destination, getattr(position, destination) + quantity)
        return self._store(position)

    def _existing(self, sku: str, location: str) -> Position:
        position = self.positions.get((sku, location))
        if position is None:
            raise InventoryError(f"no inventory of {sku!r} at {location!r}")
        return position

    def _store(self, position: Position) -> Position:
        self.positions[(position.sku, position.location)] = position  # write-back for stored mappings
        return position


def _check_condition(condition: str) -> None:
    if condition not in CONDITIONS:
        raise InventoryError(f"unknown condition {condition!r}; expected one of {', '.join(CONDITIONS)}")


def _check_count(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InventoryError(f"{name} must be a non-negative integer, got {value!r}")
