"""reports/: the results this project publishes, rebuilt from the repository by one command.

``build_reports`` runs the models that work offline on fixed slices of the packaged suites, writes
their leaderboards, results.json, charts and a README, renders the paper's tables from the package
data, and ``compare_reports`` checks a committed folder against a fresh build (``wanbench reports``).
"""

from wanbench.publish.build import build_reports
from wanbench.publish.compare import compare_reports
from wanbench.publish.settings import FULL, SUBSET, PublishSettings, SuiteSlice

__all__ = ["FULL", "SUBSET", "PublishSettings", "SuiteSlice", "build_reports", "compare_reports"]
