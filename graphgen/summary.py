"""The closing summary of a build (and of ``graphgen stats``): rows, rings and fraud rates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from rich.table import Table

from graphgen import schema
from graphgen.output import OutputFolder


@dataclass
class Summary:
    rows: dict[str, int]
    rings: pa.Table  # labels/rings
    fraud: dict[str, tuple[int, int, int]]  # entity -> (rows, fraud, confirmed by the snapshot)
    stage_seconds: dict[str, float]

    @classmethod
    def of_labels(cls, rows: dict[str, int], labels: dict[str, pa.Table], stage_seconds: dict[str, float]) -> Summary:
        fraud = {}
        for name in ("user", "account", "transaction"):
            table = labels[name]
            is_fraud = table.column("is_fraud")
            confirmed = pc.sum(pc.is_valid(table.column("fraud_confirmed_at"))).as_py() or 0
            fraud[name] = (table.num_rows, pc.sum(is_fraud).as_py() or 0, confirmed)
        return cls(rows, labels["ring"], fraud, stage_seconds)

    @classmethod
    def of_output(cls, out: str | Path, verify: bool = True) -> Summary:
        """Summarise an output folder from its manifest and label tables, after verifying every file."""
        folder = OutputFolder(out, verify)
        folder.verify()  # `stats` is also how a user checks a folder is intact
        rows = {spec.path: folder.rows(spec.path) for spec in schema.all_specs()}
        labels = {name: folder.table(spec.path, columns=["is_fraud", "fraud_confirmed_at"] if name != "ring" else None)
                  for name, spec in schema.LABELS.items() if name in ("user", "account", "transaction", "ring")}
        return cls.of_labels(rows, labels, folder.manifest.get("stage_seconds", {}))

    def tables(self) -> list[Table]:
        files = Table(title="Rows per file", title_justify="left")
        files.add_column("file")
        files.add_column("rows", justify="right")
        for path, n in self.rows.items():
            files.add_row(path, f"{n:,}")

        rings = Table(title="Rings per typology", title_justify="left")
        for name in ("typology", "rings", "users", "accounts", "devices", "IPs", "transactions"):
            rings.add_column(name, justify="left" if name == "typology" else "right")
        typology = self.rings.column("typology").to_numpy(zero_copy_only=False)
        for name in sorted(set(typology.tolist())):
            mask = typology == name
            sums = [int(np.sum(self.rings.column(c).to_numpy()[mask]))
                    for c in ("n_users", "n_accounts", "n_devices", "n_ips", "n_transactions")]
            rings.add_row(name, f"{int(mask.sum()):,}", *(f"{s:,}" for s in sums))

        fraud = Table(title="Fraud rates", title_justify="left")
        for name in ("entity", "rows", "fraud", "fraud rate", "confirmed by snapshot"):
            fraud.add_column(name, justify="left" if name == "entity" else "right")
        for name, (n, k, confirmed) in self.fraud.items():
            fraud.add_row(name, f"{n:,}", f"{k:,}", f"{k / max(n, 1):.3%}", f"{confirmed / max(k, 1):.1%}")

        tables = [files, rings, fraud]
        if self.stage_seconds:
            timing = Table(title="Seconds per stage", title_justify="left")
            timing.add_column("stage")
            timing.add_column("seconds", justify="right")
            for stage, seconds in self.stage_seconds.items():
                timing.add_row(stage, f"{seconds:.2f}")
            tables.append(timing)
        return tables
