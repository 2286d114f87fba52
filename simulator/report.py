"""What a run found: report.json (numbers people ask for), PNG plots, a short summary table, and report.html (the
summary, the plots and the per-operation table in one self-contained file to attach to a ticket)."""
from __future__ import annotations

import base64
import json
from collections import Counter
from pathlib import Path
from typing import Callable

import jinja2

from mock_amazon.spec import operation
from simulator.metrics import percentile
from simulator.world import World

PUSH_OPERATION = ("externalFulfillmentInventory_2024-09-11", "batchInventory")


def amazon_push_rate(world: World) -> float:
    """The rate Amazon allows batchInventory (its usage plan, or the scenario's override): what bounds a push,
    whatever pace the integration set itself."""
    rate: float = world.amazon.limits.plan(operation(*PUSH_OPERATION))["rate"]
    return rate


def drift_series(world: World) -> dict[str, list[tuple[float, float]]]:
    """Inventory drift per pool, without the sample taken at t=0: before the first sync Amazon holds nothing yet,
    so that sample measures the warehouse, not drift."""
    return {name.split(".", 1)[1]: [(t, v) for t, v in series if t > 0]
            for name, series in world.metrics.series.items() if name.startswith("drift.")}


def build(world: World, wall_seconds: float) -> dict:
    amazon, seller, metrics = world.amazon, world.seller.seller_id, world.metrics
    integration = world.scenario["integration"]
    end_of_orders = world.end_of_orders
    grace = {"amazon": 2 * integration["order_poll_minutes"] * 60 + 3600,
             "seller_flex": 2 * integration["flex_order_poll_seconds"] + 3600}

    # lost orders, counted from Amazon's records against the integration's
    placed_mfn = [o for o in amazon.orders.orders.scan(seller) if o.fulfillment_channel == "MFN"
                  and o.created < end_of_orders - grace["amazon"] and o.status != "Canceled"]
    placed_flex = [s for s in amazon.external_fulfillment.shipments.scan(seller)
                   if s.created < end_of_orders - grace["seller_flex"]]
    lost = {"amazon_mfn": sum(("amazon", o.id) not in world.by_external for o in placed_mfn),
            "seller_flex": sum(("seller_flex", s.id) not in world.by_external for s in placed_flex)}
    mcf_orders = list(amazon.fulfillment_outbound.orders.scan(seller))
    mcf_ids = {o.id for o in mcf_orders}
    sent = [o for o in world.orders if o.source == "webstore" and any(n.startswith("sent to FBA") for n in o.note)]
    lost["webstore"] = sum(o.id not in mcf_ids for o in sent if "sent to FBA: accepted" in o.note)
    # duplicates, counted in the data rather than assumed away
    per_external = Counter((o.source, o.external_id) for o in world.orders)
    per_request = Counter(o.displayable_order_id for o in mcf_orders)

    states = Counter(o.status for o in world.orders)
    shipped = [(o, o.shipped_at) for o in world.orders if o.shipped_at is not None]
    hours_to_ship = sorted((at - o.created) / 3600 for o, at in shipped)
    breaches = [o for o, at in shipped if at > o.promised]
    traffic_throttled = amazon.journal.throttled_count()
    push = world.push
    rate, paced = amazon_push_rate(world), integration["flex_push_rate"]
    rates = {} if paced == rate else {"amazon_rate": rate, "integration_rate": paced}
    drift = {pool: [v for _, v in series] for pool, series in drift_series(world).items()}
    return {
        "scenario": world.scenario["name"],
        "seed": world.seed,
        "simulated_seconds": world.env.now,
        "wall_seconds": round(wall_seconds, 3),
        "push": {"skus": push.get("skus", 0),
                 "seconds": round(push["finished"] - push["started"], 3) if push.get("finished") is not None else None,
                 "floor_seconds": round(push.get("skus", 0) / rate, 3),
                 "accepted": push.get("accepted", 0),
                 "ratio": round((push["finished"] - push["started"]) / (push["skus"] / rate), 4)
                 if push.get("finished") is not None and push.get("skus") else None,
                 "stale_recovered": metrics.counters["push.stale_recovered"], **rates},
        "orders": {
            "placed": dict(sorted(world.customer_orders.items())),
            "by_state": dict(sorted(states.items())),
            "amazon_by_status": dict(sorted(Counter(o.status for o in amazon.orders.orders.scan(seller)).items())),
            "lost": sum(lost.values()), "lost_by_channel": lost,
            "duplicated": sum(n - 1 for n in per_external.values() if n > 1),
            "oversell_events": metrics.counters["oversell_events"],
            "sales_lost_no_stock": metrics.counters["sales_lost_no_stock"],
        },
        "fulfillment_requests": {
            "sent": metrics.counters["fulfillment_requests.sent"],
            "accepted": metrics.counters["fulfillment_requests.accepted"],
            "rejected": metrics.counters["fulfillment_requests.rejected"],
            "created_at_amazon": len(mcf_orders),
            "duplicated": sum(n - 1 for n in per_request.values() if n > 1),
        },
        "sla": {"checked": len(shipped), "breaches": len(breaches),
                "order_to_ship_hours": {"p50": round(percentile(hours_to_ship, 0.5), 2),
                                        "p95": round(percentile(hours_to_ship, 0.95), 2),
                                        "max": round(hours_to_ship[-1], 2) if hours_to_ship else 0.0}},
        "inventory": {pool: {"mean_drift": round(sum(values) / len(values), 3), "max_drift": round(max(values), 3)}
                      for pool, values in drift.items() if values},
        "throttled_calls": sum(metrics.throttled.values()),
        "throttled_calls_seen_by_amazon": traffic_throttled,
        "faulted_calls": sum(metrics.faults.values()),
        "calls": metrics.per_operation(),
        "session": {"token_renewals": world.session.renewals, "retries": world.session.retries,
                    "tokens_revoked": metrics.counters["tokens.revoked"]},
        "failures": {k.split(".", 1)[1]: v for k, v in sorted(metrics.counters.items()) if k.startswith("failed.")},
    }


#: The figures that compare runs, each one number from report.json (None where a run has none, e.g. no push).
HEADLINE: dict[str, Callable[[dict], float | int | None]] = {
    "orders_placed": lambda r: sum(r["orders"]["placed"].values()),
    "orders_lost": lambda r: r["orders"]["lost"],
    "orders_duplicated": lambda r: r["orders"]["duplicated"],
    "oversell_events": lambda r: r["orders"]["oversell_events"],
    "sales_lost_no_stock": lambda r: r["orders"]["sales_lost_no_stock"],
    "fulfillment_requests_sent": lambda r: r["fulfillment_requests"]["sent"],
    "fulfillment_requests_rejected": lambda r: r["fulfillment_requests"]["rejected"],
    "fulfillment_requests_duplicated": lambda r: r["fulfillment_requests"]["duplicated"],
    "push_skus": lambda r: r["push"]["skus"],
    "push_seconds": lambda r: r["push"]["seconds"],
    "push_floor_seconds": lambda r: r["push"]["floor_seconds"],
    "push_ratio": lambda r: r["push"]["ratio"],
    "sla_checked": lambda r: r["sla"]["checked"],
    "sla_breaches": lambda r: r["sla"]["breaches"],
    "order_to_ship_p50_hours": lambda r: r["sla"]["order_to_ship_hours"]["p50"],
    "order_to_ship_p95_hours": lambda r: r["sla"]["order_to_ship_hours"]["p95"],
    "order_to_ship_max_hours": lambda r: r["sla"]["order_to_ship_hours"]["max"],
    "drift_mfn_mean": lambda r: r["inventory"].get("mfn", {}).get("mean_drift"),
    "drift_seller_flex_mean": lambda r: r["inventory"].get("seller_flex", {}).get("mean_drift"),
    "api_calls": lambda r: sum(operation["calls"] for operation in r["calls"].values()),
    "throttled_calls": lambda r: r["throttled_calls"],
    "faulted_calls": lambda r: r["faulted_calls"],
    "token_renewals": lambda r: r["session"]["token_renewals"],
    "retries": lambda r: r["session"]["retries"],
    "simulated_seconds": lambda r: r["simulated_seconds"],
    "wall_seconds": lambda r: r["wall_seconds"],
}


def headline(report: dict) -> dict[str, float | int | None]:
    """report.json as one flat row of its headline figures: what a sweep tabulates and compares across runs."""
    return {name: pick(report) for name, pick in HEADLINE.items()}


def write(world: World, report: dict, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    made = plots(world, report, out)
    return [out / "report.json"] + made + [html(report, made, out)]


TEMPLATES = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                               autoescape=True, undefined=jinja2.StrictUndefined)


def html(report: dict, figures: list[Path], out: Path) -> Path:
    """report.html: the summary table, every plot (embedded as base64 PNG) and the per-operation table, in one
    file with nothing to fetch."""
    images = [{"name": figure.name, "data": base64.b64encode(figure.read_bytes()).decode()} for figure in figures]
    path = out / "report.html"
    path.write_text(TEMPLATES.get_template("report.html").render(
        report=report, summary=summary_rows(report), images=images,
        report_json=json.dumps(report, indent=2, sort_keys=True)))
    return path


def plots(world: World, report: dict, out: Path) -> list[Path]:
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    made = []
    series = world.metrics.series
    figure, axes = plt.subplots(2, 2, figsize=(13, 8.5))
    figure.suptitle(f"{report['scenario']}: {report['simulated_seconds'] / 86_400:.2f} simulated days, "
                    f"seed {report['seed']}")
    ax = axes[0][0]
    for name in sorted(n for n in series if n.startswith("orders.")):
        points = series[name]
        ax.plot([t / 3600 for t, _ in points], [v for _, v in points], label=name.split(".", 1)[1])
    ax.set(title="Integration orders by state", xlabel="hours", ylabel="orders")
    if any(n.startswith("orders.") for n in series):
        ax.legend(fontsize=7)
    ax = axes[0][1]
    calls = report["calls"]
    names = list(calls)
    ax.barh(names, [calls[n]["calls"] for n in names], label="calls")
    ax.barh(names, [calls[n]["throttled"] for n in names], label="throttled (429)", color="tab:red")
    ax.set(title="Calls and throttles per operation", xlabel="calls")
    ax.tick_params(axis="y", labelsize=7)
    ax.legend(fontsize=7)
    ax = axes[1][0]
    drift = drift_series(world)
    for pool in sorted(drift):
        ax.plot([t / 3600 for t, _ in drift[pool]], [v for _, v in drift[pool]], label=pool)
    ax.set(title="Inventory drift: |Amazon's sellable - warehouse free|, mean per SKU", xlabel="hours",
           ylabel="units")
    if drift:
        ax.legend(fontsize=7)
    ax = axes[1][1]
    progress = world.push.get("progress", [])
    if progress:
        rate, paced = amazon_push_rate(world), world.scenario["integration"]["flex_push_rate"]
        ax.plot([t for t, _ in progress], [n for _, n in progress], label="SKUs accepted")
        ax.plot([0, world.push["skus"] / rate], [0, world.push["skus"]], "--",
                label=f"floor: N / {rate:g} per s (Amazon's rate)")
        if paced != rate:
            ax.plot([], [], " ", label=f"the integration paced itself at {paced:g} per s")
        ax.legend(fontsize=7)
    ax.set(title="Seller-flex push progress against the floor", xlabel="seconds", ylabel="SKUs")
    figure.tight_layout()
    path = out / "overview.png"
    figure.savefig(path, dpi=90)
    plt.close(figure)
    made.append(path)
    return made


def summary(report: dict) -> str:
    rows = summary_rows(report)
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)


def summary_rows(report: dict) -> list[tuple[str, str]]:
    """The summary table's rows (label, value): printed after a run and the head of report.html."""
    push = report["push"]
    rows = [
        ("scenario", f"{report['scenario']} (seed {report['seed']})"),
        ("simulated", f"{report['simulated_seconds'] / 86_400:.2f} days in {report['wall_seconds']:.1f} s wall"),
        ("orders placed", ", ".join(f"{k} {v}" for k, v in report["orders"]["placed"].items()) or "none"),
        ("orders by state", ", ".join(f"{k} {v}" for k, v in report["orders"]["by_state"].items()) or "none"),
        ("lost / duplicated", f"{report['orders']['lost']} / {report['orders']['duplicated']} orders, "
                              f"{report['fulfillment_requests']['duplicated']} duplicated fulfillment requests"),
        ("push", f"{push['skus']} SKUs in {push['seconds']} s (floor {push['floor_seconds']} s, ratio {push['ratio']})"
         + (f"; Amazon allows {push['amazon_rate']:g} calls/s, the integration paced {push['integration_rate']:g}"
            if "amazon_rate" in push else "") if push["skus"] else "no initial push"),
        ("throttled calls", f"{report['throttled_calls']} (Amazon's log: {report['throttled_calls_seen_by_amazon']})"),
        ("SLA breaches", f"{report['sla']['breaches']} of {report['sla']['checked']} shipped "
                         f"(p95 order-to-ship {report['sla']['order_to_ship_hours']['p95']} h)"),
        ("oversell events", str(report["orders"]["oversell_events"])),
        ("inventory drift", ", ".join(f"{k} mean {v['mean_drift']} max {v['max_drift']}"
                                      for k, v in report["inventory"].items()) or "not sampled"),
    ]
    return rows
