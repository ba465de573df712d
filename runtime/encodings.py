"""Format `edgevae encode` results as a table, JSON or CSV."""

import csv
import io
import json


def format_encodings(paths, z_mean, z_log_var, output_format: str) -> str:
    names = [str(path) for path in paths]
    if output_format == "json":
        records = [
            {"image": name, "z_mean": mean.tolist(), "z_log_var": log_var.tolist()}
            for name, mean, log_var in zip(names, z_mean, z_log_var, strict=True)
        ]
        return json.dumps(records, indent=2) + "\n"
    latent_dim = z_mean.shape[1]
    header = [
        "image",
        *(f"z_mean_{i}" for i in range(latent_dim)),
        *(f"z_log_var_{i}" for i in range(latent_dim)),
    ]
    codes = zip(names, z_mean, z_log_var, strict=True)
    rows = [[name, *mean.tolist(), *log_var.tolist()] for name, mean, log_var in codes]
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([[name, *(f"{value:.6g}" for value in values)] for name, *values in rows])
        return buffer.getvalue()
    width = max(len(header[0]), *(len(name) for name in names))
    lines = [f"{header[0]:<{width}}" + "".join(f" {title:>11}" for title in header[1:])]
    lines += [f"{name:<{width}}" + "".join(f" {value:>11.4f}" for value in values) for name, *values in rows]
    return "\n".join(lines) + "\n"
