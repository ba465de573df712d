"""Format `edgevae encode` results as a table, JSON or CSV."""

import csv
import io
import json


def encoding_record(name: str, named, z_mean, z_log_var) -> dict:
    """One encoded picture as JSON (`encode --format json`, the server's /v1/encode): `named` is
    (digit, probability) from a model with a digit head, else None."""
    digit = {} if named is None else {"digit": int(named[0]), "probability": float(named[1])}
    return {"image": name, **digit, "z_mean": z_mean.tolist(), "z_log_var": z_log_var.tolist()}


def format_encodings(paths, z_mean, z_log_var, output_format: str, digits=None) -> str:
    """`digits` is (digit [n], probability [n]) from a model with a digit head, else None."""
    names = [str(path) for path in paths]
    read = list(zip(*digits, strict=True)) if digits is not None else [None] * len(names)
    if output_format == "json":
        records = [
            encoding_record(name, named, mean, log_var)
            for name, named, mean, log_var in zip(names, read, z_mean, z_log_var, strict=True)
        ]
        return json.dumps(records, indent=2) + "\n"
    latent_dim = z_mean.shape[1]
    header = [
        "image",
        *(["digit", "probability"] if digits is not None else []),
        *(f"z_mean_{i}" for i in range(latent_dim)),
        *(f"z_log_var_{i}" for i in range(latent_dim)),
    ]
    named_columns = [[] if named is None else [int(named[0]), float(named[1])] for named in read]
    codes = zip(names, named_columns, z_mean, z_log_var, strict=True)
    rows = [[name, *named, *mean.tolist(), *log_var.tolist()] for name, named, mean, log_var in codes]
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(
            [[name, *(format_value(value, "{:.6g}") for value in values)] for name, *values in rows]
        )
        return buffer.getvalue()
    width = max(len(header[0]), *(len(name) for name in names))
    lines = [f"{header[0]:<{width}}" + "".join(f" {title:>11}" for title in header[1:])]
    lines += [
        f"{name:<{width}}" + "".join(f" {format_value(value, '{:>11.4f}'):>11}" for value in values)
        for name, *values in rows
    ]
    return "\n".join(lines) + "\n"


def format_value(value, template: str) -> str:
    """Digits print as whole numbers, everything else with `template`."""
    return str(value) if isinstance(value, int) else template.format(value)
