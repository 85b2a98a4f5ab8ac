"""Speed against quality: which rows are on the Pareto front, and a plot of all of them."""
from __future__ import annotations


# quality key -> (higher is better, y-axis label, scale for display)
QUALITY = {"faithfulness": (True, "faithfulness (% of suite prompts fully correct)", 100),
           "fid": (False, "domain FID (lower is better; axis inverted)", 1),
           "psnr": (True, "PSNR (dB)", 1)}


def pareto_front(rows: list[dict], key: str = "faithfulness") -> list[str]:
    """Names of rows no other row beats on both images/s and quality (`key`, see QUALITY)."""
    sign = 1 if QUALITY[key][0] else -1
    front = []
    for r in rows:
        mine = (r["images_per_s"], sign * r[key])
        if not any(o["images_per_s"] >= mine[0] and sign * o[key] >= mine[1]
                   and (o["images_per_s"], sign * o[key]) != mine for o in rows):
            front.append(r["name"])
    return front


def pareto_png(rows: list[dict], title: str, key: str = "faithfulness") -> bytes:
    """Quality (`key`) against images/s (log), the Pareto front joined, every row labelled."""
    import io

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    higher, label, scale = QUALITY[key]
    front = set(pareto_front(rows, key))
    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=110)
    for r in rows:
        ax.scatter(r["images_per_s"], scale * r[key], s=28,
                   color="tab:red" if r["name"] in front else "tab:gray", zorder=3)
        ax.annotate(r["name"], (r["images_per_s"], scale * r[key]), fontsize=6.5,
                    xytext=(3, 3), textcoords="offset points")
    line = sorted((r for r in rows if r["name"] in front), key=lambda r: r["images_per_s"])
    ax.plot([r["images_per_s"] for r in line], [scale * r[key] for r in line],
            color="tab:red", lw=1, zorder=2, label="Pareto front")
    ax.set_xscale("log")
    ax.set_xlabel("images/s at the best batch (log scale)")
    ax.set_ylabel(label)
    if not higher:
        ax.invert_yaxis()                   # up is better on every plot
    ax.set_title(title, fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()
