"""Where on the body are the lesions, counted in patients?

Patients with at least one lesion at each region and limb (not lesion
mentions), with Wilson intervals; the same by subtype with a per-site test,
Benjamini-Hochberg adjustment over the sites and an overall test over
patients; and the sides recorded.
"""

from __future__ import annotations

from pathlib import Path

from _common import CASES, analyse, dataset, save_plot, script_main, write_table

import casestats


def run(out: Path) -> dict:
    cases = dataset(CASES)
    by_region = analyse(casestats.site_distribution, cases, rank="region")
    by_limb = analyse(casestats.site_distribution, cases, rank="limb")
    by_subtype = analyse(casestats.site_distribution, cases, rank="limb", by="subtype")
    write_table(by_region.to_frame(), out, "sites_by_region")
    write_table(by_limb.to_frame(), out, "sites_by_limb")
    write_table(by_subtype.to_frame(), out, "sites_by_limb_and_subtype")
    write_table(by_region.laterality, out, "sites_laterality")
    save_plot(by_region, out, "sites_by_region", kind="bars")
    save_plot(by_region, out, "sites_body_map", kind="body")
    save_plot(by_subtype, out, "sites_by_limb_and_subtype", kind="heatmap")
    print(by_region)
    print(by_subtype)
    return {"region": by_region, "limb": by_limb, "by_subtype": by_subtype}


if __name__ == "__main__":
    script_main(run, __doc__)
