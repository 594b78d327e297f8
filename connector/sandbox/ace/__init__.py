"""The ACE simulator: plays AWS's side of the ACE bucket (ACE-CONTRACT §16).

``Simulator`` is the Python API (used by the demo, the UAT runner and tests);
``ace-connector sandbox ace ...`` is its command line. State lives in a folder
so that separate invocations share it. Like moto, the state and lifecycle logic
(``state``, ``opportunities``, ``leads``) is kept apart from the handling of
files (``pickup``, ``export``).
"""

from connector.sandbox.ace.book import InvalidChange, UnknownRecord
from connector.sandbox.ace.config import Flags, Partner, SimulatorConfig
from connector.sandbox.ace.pickup import FileReport
from connector.sandbox.ace.simulator import Simulator, TickReport

__all__ = ["FileReport", "Flags", "InvalidChange", "Partner", "Simulator", "SimulatorConfig", "TickReport",
           "UnknownRecord"]
