"""Reads an InferenceData file the way ArviZ would and prints what xarray sees, as JSON.

    python3 tests/io/inference_data_check.py zarr PATH
    python3 tests/io/inference_data_check.py json PATH

zarr: az.from_zarr's steps (zarr.open(store).groups(), then xr.open_zarr(store, group=name)
for each group), with every warning recorded (a missing consolidated metadata file is one).

json: ArviZ itself is not installable here, so az.from_json is re-implemented from its rules
(arviz 0.23 arviz/data/io_json.py, io_dict.py and base.py): json.load, then from_dict's
dict_to_dataset for each group, with generate_dims_coords' default dimension names
"<var>_dim_<k>" and coordinates 0..n-1, numpy_to_data_array's (chain, draw) leading
dimensions and atleast_2d/atleast_1d, skip_event_dims for log_likelihood, and make_attrs.
The datasets are built with xarray, so a layout xarray refuses fails here.

Output: {"groups": {name: {"attrs", "coords": {dim: values}, "vars": {name: {"dims", "dtype",
"shape", "values" (flat, row-major; non-finite as "NaN"/"Infinity"/"-Infinity")}}}},
"warnings": [...]}.
"""

import json
import math
import sys
import warnings

import numpy as np
import xarray as xr

SAMPLED = [
    "posterior",
    "posterior_predictive",
    "predictions",
    "log_likelihood",
    "sample_stats",
    "prior",
    "prior_predictive",
    "sample_stats_prior",
]
DATA = ["observed_data", "constant_data", "predictions_constant_data"]


def generate_dims_coords(shape, var_name, dims, coords, default_dims, skip_event_dims):
    coords = dict(coords or {})
    dims = list(dims or [])
    ndims = len([d for d in dims if d not in default_dims])
    if ndims > len(shape):
        if skip_event_dims:
            dims = dims[: len(shape)]
        else:
            warnings.warn(f"In variable {var_name}, there are more dims than exist")
    if skip_event_dims:
        for i, (dim, dim_size) in enumerate(zip(dims, shape)):
            if dim in coords and dim_size != len(coords[dim]):
                dims = dims[:i]
                break
    for i, dim_len in enumerate(shape):
        idx = i + len([d for d in default_dims if d in dims])
        if len(dims) < idx + 1:
            dims.append(f"{var_name}_dim_{i}")
        elif dims[idx] is None:
            dims[idx] = f"{var_name}_dim_{i}"
        if dims[idx] not in coords:
            coords[dims[idx]] = np.arange(0, dim_len)
    coords = {k: v for k, v in coords.items() if k in dims + default_dims}
    return dims, coords


def numpy_to_data_array(ary, var_name, coords, dims, default_dims, skip_event_dims):
    ary = np.asarray(ary)
    if "chain" in default_dims and "draw" in default_dims:
        ary = np.atleast_2d(ary)
        n_chains, n_samples = ary.shape[:2]
    else:
        ary = np.atleast_1d(ary)
    dims, coords = generate_dims_coords(
        ary.shape[len(default_dims) :], var_name, dims, coords, default_dims, skip_event_dims
    )
    if "draw" not in dims and "draw" in default_dims:
        dims = ["draw"] + dims
    if "chain" not in dims and "chain" in default_dims:
        dims = ["chain"] + dims
    if "chain" not in coords and "chain" in default_dims:
        coords["chain"] = np.arange(0, n_chains)
    if "draw" not in coords and "draw" in default_dims:
        coords["draw"] = np.arange(0, n_samples)
    coords = {k: xr.IndexVariable((k,), data=np.asarray(coords[k])) for k in dims}
    return xr.DataArray(ary, coords=coords, dims=dims)


def make_attrs(attrs):
    out = {"created_at": "(from_dict's time)", "arviz_version": "(re-implementation)"}
    if attrs is not None:
        out.update(attrs)
    return out


def dict_to_dataset(data, attrs, coords, dims, default_dims, skip_event_dims=False):
    dims = dims or {}
    data_vars = {
        key: numpy_to_data_array(
            values, key, coords, dims.get(key), default_dims, skip_event_dims
        )
        for key, values in data.items()
    }
    return xr.Dataset(data_vars=data_vars, attrs=make_attrs(attrs))


def from_json(path):
    with open(path, "rb") as f:
        d = json.load(f)
    coords, dims = d.get("coords"), d.get("dims")
    pred_dims = d.get("pred_dims") or dims
    top_attrs = dict(d.get("attrs") or {})
    top_attrs.pop("created_at", None)
    top_attrs.pop("arviz_version", None)
    groups = {}
    for g in SAMPLED:
        if d.get(g) is not None:
            groups[g] = dict_to_dataset(
                d[g],
                d.get(f"{g}_attrs"),
                coords,
                pred_dims if g == "predictions" else dims,
                ["chain", "draw"],
                skip_event_dims=(g == "log_likelihood"),
            )
    for g in DATA:
        if d.get(g) is not None:
            # data_to_xarray: no (chain, draw), and the InferenceData-level attrs.
            groups[g] = dict_to_dataset(
                d[g], top_attrs, coords, pred_dims if g.startswith("pred") else dims, []
            )
    return groups


def from_zarr(path):
    import zarr

    groups = {}
    handle = zarr.open(path, mode="r")
    for name, _ in handle.groups():
        with xr.open_zarr(path, group=name) as ds:
            groups[name] = ds.load()
    return groups


def finite(x):
    if isinstance(x, float) and not math.isfinite(x):
        return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")
    return x


def describe(groups):
    out = {}
    for name, ds in groups.items():
        out[name] = {
            "attrs": {k: v.item() if hasattr(v, "item") else v for k, v in ds.attrs.items()},
            "coords": {k: [finite(x) for x in v.values.tolist()] for k, v in ds.coords.items()},
            "vars": {
                k: {
                    "dims": list(v.dims),
                    "dtype": str(v.dtype),
                    "shape": list(v.shape),
                    "values": [finite(x) for x in v.values.ravel().tolist()],
                }
                for k, v in ds.data_vars.items()
            },
        }
    return out


def main():
    fmt, path = sys.argv[1], sys.argv[2]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        groups = from_zarr(path) if fmt == "zarr" else from_json(path)
    json.dump(
        {
            "groups": describe(groups),
            # Deprecation notices of the installed packages are not about the file.
            "warnings": [
                str(w.message)
                for w in caught
                if not issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning))
            ],
        },
        sys.stdout,
        allow_nan=False,
    )


if __name__ == "__main__":
    main()
