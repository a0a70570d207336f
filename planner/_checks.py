"""Input checks shared by every calculator (private).

Calculators accept a scalar, a sequence, a numpy array or a pandas Series and
return the same shape: a float for a scalar, an array for an array or sequence,
a Series (same index) for a Series. Bad values raise ``ValueError`` naming the
argument, the offending value, where it is and what is allowed.

Categorical arguments (a mode, a kind, a capability) follow the same contract
through :func:`categories_in`, and True/False arguments through :func:`flags_in`:
a scalar, or one value per row aligned with the numeric arguments.
"""

from __future__ import annotations

import io
import numbers
from collections.abc import Hashable
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd


def _where(arr: np.ndarray, mask: np.ndarray, index: pd.Index | None) -> str:
    pos = np.unravel_index(int(np.flatnonzero(mask)[0]), arr.shape) if arr.ndim else ()
    value = arr[pos].item() if arr.ndim else arr.item()
    if index is not None:
        return f"{value!r} at index {index[pos[0]]!r}"
    if arr.ndim:
        return f"{value!r} at position {pos[0] if len(pos) == 1 else pos}"
    return repr(value)


#: No planning input comes near this; a larger value is a unit mistake, and
#: products of such values would overflow to inf instead of failing.
LARGEST = 1e15


def numbers_in(name: str, value: Any, *, minimum: float = 0.0, strict: bool = False,
               integer: bool = False) -> tuple[np.ndarray, pd.Index | None, bool]:
    """Validate one numeric argument; return (float array, Series index or None, scalar?)."""
    index = value.index if isinstance(value, pd.Series) else None
    scalar = np.ndim(value) == 0 and not isinstance(value, (pd.Series, np.ndarray))
    if isinstance(value, (str, bytes)) or value is None or isinstance(value, bool):
        raise TypeError(f"{name} must be a number or an array of numbers; got {value!r}")
    if isinstance(value, pd.DataFrame):
        raise TypeError(f"{name} must be a number, an array or a Series; got a DataFrame "
                        "(pass one column)")
    try:
        arr = np.asarray(value.to_numpy() if index is not None else value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number or an array of numbers; "
                        f"got {value!r:.80}") from None
    finite = np.isfinite(arr)
    if not finite.all():
        raise ValueError(f"{name} must be finite; got {_where(arr, ~finite, index)}")
    low = arr <= minimum if strict else arr < minimum
    if low.any():
        bound = f"> {minimum:g}" if strict else f">= {minimum:g}"
        raise ValueError(f"{name} must be {bound}; got {_where(arr, low, index)}")
    high = arr > LARGEST
    if high.any():
        raise ValueError(f"{name} must be <= {LARGEST:.0e}; got {_where(arr, high, index)}")
    if integer:
        frac = arr != np.floor(arr)
        if frac.any():
            raise ValueError(f"{name} must be a whole number; got {_where(arr, frac, index)}")
    return arr, index, scalar


def broadcast(**named: tuple[np.ndarray, pd.Index | None, bool]
              ) -> tuple[list[np.ndarray], Callable[[np.ndarray], Any]]:
    """Broadcast validated arguments together; return arrays and a function that
    shapes a result like the inputs (Series beats array beats scalar)."""
    arrays = [a for a, _, _ in named.values()]
    try:
        arrays = list(np.broadcast_arrays(*arrays))
    except ValueError:
        shapes = {k: v[0].shape for k, v in named.items()}
        raise ValueError(f"arguments have shapes that do not fit together: {shapes}") from None
    indexes = [(k, i) for k, (_, i, _) in named.items() if i is not None]
    for (k1, i1), (k2, i2) in zip(indexes, indexes[1:]):
        if not i1.equals(i2):
            raise ValueError(f"Series {k1} and {k2} must share the same index")
    index = indexes[0][1] if indexes else None
    all_scalar = all(s for _, _, s in named.values())

    def shape(result: np.ndarray) -> Any:
        if index is not None:
            return pd.Series(result, index=index)
        if all_scalar:
            return float(result)
        return result

    return arrays, shape


def categories_in(name: str, value: Any, allowed: Iterable[Any]
                  ) -> tuple[np.ndarray, pd.Index | None, bool]:
    """Validate one categorical argument, vectorised; the categorical twin of
    :func:`numbers_in`.

    ``value`` is a scalar, a sequence, a numpy array or a pandas Series. Text is
    compared stripped and lower-cased. The few distinct values are factorised and
    checked once each, so a million rows cost one pass.

    Returns
    -------
    tuple
        (codes, Series index or None, scalar?): ``codes`` holds, per element, the
        position of its value in ``allowed`` (an integer array shaped like
        ``value``), ready for :func:`broadcast` and :func:`split`.

    Raises
    ------
    ValueError
        Naming the argument, the allowed values and the first bad value with its
        position (or Series index label).
    """
    allowed = tuple(allowed)
    index, scalar = _index_and_scalar(name, value, "a value, an array or a Series")
    if scalar:
        return np.asarray(_category_code(name, value, allowed, ""), dtype=np.intp), None, True
    arr = np.asarray(value.to_numpy() if index is not None else value, dtype=object)
    flat = arr.ravel()
    try:
        uniques_codes, uniques = pd.factorize(flat, use_na_sentinel=False)
    except TypeError:   # an unhashable element, such as a list inside the list
        raise TypeError(f"{name} must hold one value per row (text); got {value!r:.80}") from None
    lookup = np.empty(len(uniques), dtype=np.intp)
    for position in range(len(uniques)):
        first = int(np.argmax(uniques_codes == position))   # the value as given there
        lookup[position] = _category_code(name, flat[first], allowed,
                                          located(arr.shape, first, index))
    return lookup[uniques_codes].reshape(arr.shape), index, False


def _is_scalar(value: Any) -> bool:
    """One value rather than one per row (a ragged list counts as rows)."""
    if isinstance(value, (pd.Series, pd.DataFrame, np.ndarray)):
        return False
    if isinstance(value, (str, bytes)):
        return True
    try:
        return np.ndim(value) == 0
    except ValueError:   # a ragged list: rows of different lengths
        return False


def located(shape: tuple[int, ...], flat: int, index: pd.Index | None) -> str:
    """" at position 2" (and " (index 'b')" for a Series) of a flat position."""
    if index is not None:
        return f" at position {flat} (index {index[flat]!r})"
    pos = np.unravel_index(flat, shape)
    return f" at position {pos[0] if len(pos) == 1 else tuple(map(int, pos))}"


def _category_code(name: str, value: Any, allowed: tuple[Any, ...], where: str) -> int:
    key = value.strip().lower() if isinstance(value, str) else value
    if isinstance(key, (bool, np.bool_)) or not isinstance(key, Hashable) or key not in allowed:
        shown = str(value) if isinstance(value, str) else value   # np.str_ prints as 'x'
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; "
                         f"got {shown!r}{where}")
    return allowed.index(key)


def _index_and_scalar(name: str, value: Any, what: str) -> tuple[pd.Index | None, bool]:
    """A Series' index (or None) and whether ``value`` is one value; a DataFrame is refused."""
    if isinstance(value, pd.DataFrame):
        raise TypeError(f"{name} must be {what}; got a DataFrame (pass one column)")
    return (value.index if isinstance(value, pd.Series) else None), _is_scalar(value)


def flags_in(name: str, value: Any) -> tuple[np.ndarray, pd.Index | None, bool]:
    """Validate a True/False argument that may also be an array or Series of them
    (one flag per row); ``'no'``, 0.1 or None never slip through."""
    index, scalar = _index_and_scalar(name, value, "True, False, an array or a Series of them")
    if scalar:
        return np.asarray(flag(name, value)), None, True
    arr = value.to_numpy() if index is not None else value
    if not (isinstance(arr, np.ndarray) and arr.dtype == bool):
        arr = np.asarray(arr, dtype=object)   # a list of [False, 'yes'] must stay as given
        obj = arr.ravel()
        bad = np.array([not isinstance(v, (bool, np.bool_)) for v in obj], dtype=bool)
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise TypeError(f"{name} must be True or False; got {obj[first]!r}"
                            f"{located(arr.shape, first, index)}")
        arr = arr.astype(bool)
    return arr, index, False


def split(codes: np.ndarray, allowed: tuple[Any, ...]) -> list[tuple[Any, Any]]:
    """(value, rows) for each category present in ``codes``: a calculator computes
    once per distinct value, never once per row. ``rows`` is a boolean mask, or
    ``...`` (every row) when one category covers all of them."""
    present = np.flatnonzero(np.bincount(np.ravel(codes), minlength=len(allowed)))
    if len(present) == 1:
        return [(allowed[present[0]], ...)]
    return [(allowed[code], codes == code) for code in present]


def choice(name: str, value: Any, allowed: Iterable[Any]) -> Any:
    """Return ``value`` (lower-cased if text) when it is one of ``allowed``."""
    allowed = tuple(allowed)
    key = value.strip().lower() if isinstance(value, str) else value
    if isinstance(key, bool) or key not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return key


def flag(name: str, value: Any) -> bool:
    """A keyword that must be a real bool (so 'no' or 0.1 never slips through)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def columns(name: str, frame: Any, required: Iterable[str]) -> pd.DataFrame:
    """Check that ``frame`` is a DataFrame holding the ``required`` columns."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame; got {type(frame).__name__}")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s) {missing}; required: {list(required)}; "
                         f"found: {list(map(str, frame.columns))}")
    return frame


def is_real_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def timestamps(table: str, column: str, values: pd.Series) -> pd.Series:
    """Parse a column of timestamps; aware ones (mixed offsets allowed) become
    naive UTC. Errors name the table, the column and the first bad row."""
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = values
    else:
        try:
            parsed = pd.to_datetime(values, format="ISO8601", utc=_has_offsets(values))
        except (ValueError, TypeError):
            try:
                parsed = pd.to_datetime(values, format="mixed", utc=_has_offsets(values))
            except (ValueError, TypeError) as exc:
                raise ValueError(f"{table}: column {column!r} must hold timestamps "
                                 f"(e.g. 2025-01-31 14:05); {exc}") from None
    if parsed.isna().any():
        row = values.index[parsed.isna().to_numpy().argmax()]
        raise ValueError(f"{table}: column {column!r} is empty in row {row!r}")
    if parsed.dt.tz is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    return parsed


def month(text: Any) -> pd.Period:
    """A calendar month from ``YYYY-MM`` text (surrounding blanks ignored).

    Raises ``ValueError`` for anything else, including texts pandas would
    still read as a month (``'2026'``, ``'2026-03-01'``); the caller names the
    field in its own message.
    """
    value = str(text).strip()
    if len(value) != 7:
        raise ValueError(f"not a month YYYY-MM: {text!r}")
    return pd.Period(value, freq="M")


def text_csv(source: Any, label: str, error: type[ValueError] = ValueError) -> pd.DataFrame:
    """A CSV file (a path, or its content as bytes) with every cell as text,
    blanks kept as ``''`` and a UTF-8 byte-order mark ignored.

    Raises ``error`` naming the file (``label``) when it is missing or is not a
    readable CSV.
    """
    try:
        return pd.read_csv(io.BytesIO(source) if isinstance(source, bytes) else source,
                           dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(f"{label}: no such file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as exc:
        raise error(f"{label}: cannot read the CSV ({str(exc).splitlines()[0]})") from None


def _has_offsets(values: pd.Series) -> bool:
    """True when any value carries a UTC offset or time zone."""
    for value in values:
        if isinstance(value, pd.Timestamp) or hasattr(value, "tzinfo"):
            if getattr(value, "tzinfo", None) is not None:
                return True
        elif isinstance(value, str) and (value.endswith("Z") or "+" in value[10:]
                                         or value[10:].count("-") > 0):
            return True
    return False


def day(name: str, value: Any) -> pd.Timestamp:
    """``value`` as a day at midnight (time zone dropped); a ValueError naming ``name`` otherwise."""
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ValueError(f"{name} must be a date (YYYY-MM-DD); got {value!r}") from None
    if stamp is pd.NaT or pd.isna(stamp):
        raise ValueError(f"{name} must be a date (YYYY-MM-DD); got {value!r}")
    return stamp.tz_localize(None).normalize() if stamp.tz else stamp.normalize()
