"""Speed against quality: which rows are on the Pareto front, and a plot of all of them."""
from __future__ import annotations


def pareto_front(rows: list[dict]) -> list[str]:
    """Names of rows no other row beats on both images/s and faithfulness."""
    front = []
    for r in rows:
        if not any(o["images_per_s"] >= r["images_per_s"] and o["faithfulness"] >= r["faithfulness"]
                   and (o["images_per_s"], o["faithfulness"]) != (r["images_per_s"],
                                                                   r["faithfulness"])
                   for o in rows):
            front.append(r["name"])
    return front


def pareto_png(rows: list[dict], title: str) -> bytes:
    """Faithfulness against images/s (log), the Pareto front joined, every row labelled."""
    import io

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    front = set(pareto_front(rows))
    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=110)
    for r in rows:
        ax.scatter(r["images_per_s"], 100 * r["faithfulness"], s=28,
                   color="tab:red" if r["name"] in front else "tab:gray", zorder=3)
        ax.annotate(r["name"], (r["images_per_s"], 100 * r["faithfulness"]), fontsize=6.5,
                    xytext=(3, 3), textcoords="offset points")
    line = sorted((r for r in rows if r["name"] in front), key=lambda r: r["images_per_s"])
    ax.plot([r["images_per_s"] for r in line], [100 * r["faithfulness"] for r in line],
            color="tab:red", lw=1, zorder=2, label="Pareto front")
    ax.set_xscale("log")
    ax.set_xlabel("images/s at the best batch (log scale)")
    ax.set_ylabel("faithfulness (% of suite prompts fully correct)")
    ax.set_title(title, fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()
