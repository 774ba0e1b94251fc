"""Which subtypes of calcinosis cutis do the published case reports describe?

Share of each subtype (and of cases the authors did not classify) with
Wilson intervals per subtype and Sison-Glaz simultaneous intervals for the
mix, overall and by sex; and whether the authors stated or the curator
inferred the subtype.
"""

from __future__ import annotations

from pathlib import Path

from _common import CASES, analyse, dataset, save_plot, script_main, write_table

import casestats


def run(out: Path) -> dict:
    cases = dataset(CASES)
    overall = analyse(casestats.subtype_frequency, cases)
    by_sex = analyse(casestats.subtype_frequency, cases, by="sex")
    stated = cases.subset(cases.data["subtype_basis"] == "stated")
    only_stated = analyse(casestats.subtype_frequency, stated)
    write_table(overall.to_frame(), out, "subtype_frequency")
    write_table(by_sex.to_frame(), out, "subtype_frequency_by_sex")
    write_table(only_stated.to_frame(), out, "subtype_frequency_stated_only")
    save_plot(overall, out, "subtype_frequency")
    save_plot(by_sex, out, "subtype_frequency_by_sex")
    print(overall)
    print(f"\nSubtype stated by the authors for {len(stated)} of {len(cases)} cases:")
    print(only_stated)
    print(by_sex)
    return {"overall": overall, "by_sex": by_sex, "stated_only": only_stated}


if __name__ == "__main__":
    script_main(run, __doc__)
