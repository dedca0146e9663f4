"""Independent reference implementation of `double-random-draw/1`.

Written from docs/draw-algorithm.md alone (section numbers below refer to it), in Python 3
with the standard library only. It does not read or import anything of the TypeScript code.
The points where the document is ambiguous are marked "AMBIGUITY" and listed in README.md.
"""
import datetime
import hashlib
import hmac
import json
import re
import unicodedata
from collections import deque
from fractions import Fraction

ALGORITHM = "double-random-draw/1"
STRATA = ("A", "B", "C", "D", "U")
FILE_NAMES = ("conflicts.csv", "frame.csv", "history.csv", "inspectors.csv", "params.json", "strata.csv")
HEADERS = {
    "frame.csv": "uscc,grade_commitment",
    "strata.csv": "uscc,stratum,salt",
    "inspectors.csv": "certificate_no,department,capacity",
    "conflicts.csv": "certificate_no,uscc",
    "history.csv": "uscc,date,department,officers",
}
RULES = ("stratum-excluded", "yearly-cap", "lookback")
FORBIDDEN = ',";\r\n'  # §3: never in a USCC, certificate number or department code


class DrawError(Exception):
    pass


def sha256_hex(s):
    """SHA-256 of the UTF-8 bytes of s (or of bytes), 64 lowercase hex characters."""
    return hashlib.sha256(s.encode("utf-8") if isinstance(s, str) else s).hexdigest()


def byte_key(s):
    """Byte order = order of UTF-8 bytes (= code-point order, NOT JavaScript's UTF-16 order)."""
    return s.encode("utf-8")


def byte_sorted(items):
    return sorted(items, key=byte_key)


# ---------------------------------------------------------------- §2 / §3 canonical params.json

PARAM_KEYS = {"task", "year", "window", "stratifyBy", "selection", "excludeStrata", "filters",
              "exclusions", "matters", "departments", "randomnessSource"}
FILTER_KEYS = ("entityTypes", "streets", "industryCodes", "tags")
DECIMAL_RE = re.compile(r"^[0-9]+(\.[0-9]{1,6})?$")  # §2, applied to the string as written


def _check_keys(obj, allowed, what):
    if not isinstance(obj, dict):
        raise DrawError(f"{what} must be an object")
    unknown = set(obj) - set(allowed)
    if unknown:
        raise DrawError(f"unknown key(s) in {what}: {sorted(unknown)}")


def js_number_string(v):
    """JavaScript's String(number) for the IEEE double nearest to the JSON number v (§2: "the
    form JavaScript's String(number) gives"). Python's repr gives the same shortest round-trip
    digits; only the layout differs (JS writes 1e-7 and 1e+21, but 0.000001 and 100000)."""
    f = float(v)  # JSON numbers are doubles in JavaScript; big integers round like there
    if f != f or f in (float("inf"), float("-inf")):
        raise DrawError("not a finite number")
    if f == 0:
        return "0"
    sign = "-" if f < 0 else ""
    mant, _, exp = repr(abs(f)).partition("e")
    ip, _, fp = mant.partition(".")
    digits = (ip + fp).lstrip("0")
    # value = 0.<digits> * 10**n
    n = len(ip) + (int(exp) if exp else 0) - (len(ip + fp) - len((ip + fp).lstrip("0")))
    digits = digits.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        out = digits + "0" * (n - k)
    elif 0 < n <= 21:
        out = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        out = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return sign + out


def decimal_value(v, what):
    """A rate/weight (§2): a string matching ^[0-9]+(\.[0-9]{1,6})?$ as written, or a JSON
    number, read through its shortest decimal form String(number), which must then match the same
    pattern (AMBIGUITY: the document does not say so explicitly; so 1e-7 -> "1e-7" and a weight
    1e21 -> "1e+21" are rejected). Returns an exact Fraction."""
    if isinstance(v, bool):
        raise DrawError(f"{what}: not a number")
    if isinstance(v, (int, float)):
        try:
            v = js_number_string(v)
        except (OverflowError, DrawError):
            raise DrawError(f"{what}: not a finite number")
    if not isinstance(v, str) or not DECIMAL_RE.match(v):
        raise DrawError(f"{what}: not a decimal with at most 6 digits after the point: {v!r}")
    return Fraction(v)


def decimal_string(f):
    """Canonical decimal: no trailing zeros, no exponent ("0.1", "1")."""
    m = f * 10**6
    assert m.denominator == 1 and m >= 0
    ip, fp = divmod(m.numerator, 10**6)
    return str(ip) + ("." + f"{fp:06d}".rstrip("0") if fp else "")


def json_integer(v, what, minimum):
    """AMBIGUITY: JSON does not tell 12 from 12.0 (JavaScript cannot either), so an integral
    number is an integer here; anything else (fractions, booleans, strings) is rejected."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise DrawError(f"{what}: integer >= {minimum}")
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")) or v != int(v):
            raise DrawError(f"{what}: integer >= {minimum}")
        v = int(v)
    if v < minimum:
        raise DrawError(f"{what}: integer >= {minimum}")
    return v


def _date(s, what):
    if not isinstance(s, str) or not re.match(r"^\d{4}-\d{2}-\d{2}$", s):
        raise DrawError(f"{what}: not YYYY-MM-DD")
    try:
        return datetime.date.fromisoformat(s)
    except ValueError:
        raise DrawError(f"{what}: not a calendar date")


def check_unicode(obj, what="params"):
    """§3: strings are well-formed Unicode; lone surrogates (which json.loads produces from
    escapes such as "\\ud800") are rejected."""
    if isinstance(obj, str):
        if any(0xD800 <= ord(c) <= 0xDFFF for c in obj):
            raise DrawError(f"{what}: lone surrogate in a string")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            check_unicode(k, what)
            check_unicode(v, what)
    elif isinstance(obj, list):
        for v in obj:
            check_unicode(v, what)


def canonical_params(user, attempt=1):
    """Validate and normalise the parameters as the user writes them (§2) into the canonical
    object of §3 (including "algorithm" and "attempt"). `attempt` is not a key of the user's file
    (§2 does not list it, and unknown keys are errors): it is the draw's number within its task."""
    check_unicode(user)
    _check_keys(user, PARAM_KEYS, "params")
    for k in ("task", "year", "window", "selection", "matters", "departments", "randomnessSource"):
        if k not in user:
            raise DrawError(f"missing key {k}")
    attempt = json_integer(attempt, "attempt", 1)
    task = user["task"]
    # AMBIGUITY: "1-200 characters" is counted in code points here (JavaScript's .length would
    # count UTF-16 code units, so an astral character counts twice there).
    if not isinstance(task, str) or not 1 <= len(task) <= 200:
        raise DrawError("task: 1-200 characters")
    year = json_integer(user["year"], "year", 1)
    _check_keys(user["window"], ("start", "end"), "window")
    start = _date(user["window"].get("start"), "window.start")
    end = _date(user["window"].get("end"), "window.end")
    if end < start:
        raise DrawError("window ends before it starts")
    stratify = user.get("stratifyBy", "credit")
    if stratify not in ("credit", "sector"):
        raise DrawError("stratifyBy: credit or sector")

    exclude = user.get("excludeStrata", [])
    if not isinstance(exclude, list):
        raise DrawError("excludeStrata: list")
    seen = set()
    for item in exclude:
        _check_keys(item, ("stratum", "reason"), "excludeStrata item")
        if item.get("stratum") not in STRATA or item["stratum"] in seen:
            raise DrawError("excludeStrata: bad or repeated stratum")
        if not isinstance(item.get("reason"), str) or not item["reason"]:
            raise DrawError("excludeStrata: a reason is required")
        seen.add(item["stratum"])
    exclude = [{"stratum": i["stratum"], "reason": i["reason"]} for i in exclude]

    sel = user["selection"]
    if not isinstance(sel, dict) or sel.get("mode") not in ("rates", "total"):
        raise DrawError("selection.mode: rates or total")
    if sel["mode"] == "rates":
        _check_keys(sel, ("mode", "rates"), "selection")
        _check_keys(sel.get("rates"), STRATA, "selection.rates")
        rates = {}
        for s, v in sel["rates"].items():
            f = decimal_value(v, f"rate {s}")
            if not 0 < f <= 1:
                raise DrawError(f"rate {s} not in (0, 1]")
            rates[s] = decimal_string(f)
        given = rates
        selection = {"mode": "rates", "rates": rates}
    else:
        _check_keys(sel, ("mode", "total", "weights"), "selection")
        total = json_integer(sel.get("total"), "selection.total", 1)
        _check_keys(sel.get("weights"), STRATA, "selection.weights")
        weights = {}
        for s, v in sel["weights"].items():
            f = decimal_value(v, f"weight {s}")
            if not f > 0:
                raise DrawError(f"weight {s} not > 0")
            weights[s] = decimal_string(f)
        given = weights
        selection = {"mode": "total", "total": total, "weights": weights}
    for s in seen:
        if s in given:
            raise DrawError(f"stratum {s} is in excludeStrata and must not have a rate or weight")

    # AMBIGUITY: "filters ... always present (empty lists / null where not given)". We write
    # the object with all four lists (empty where not given), never `null`, so that an absent
    # `filters`, `{}` and `{"tags": []}` - which mean the same - get the same canonical form.
    filters_in = user.get("filters")
    filters_in = {} if filters_in is None else filters_in
    _check_keys(filters_in, FILTER_KEYS, "filters")
    filters = {}
    for k in FILTER_KEYS:
        lst = filters_in.get(k)
        lst = [] if lst is None else lst
        if not isinstance(lst, list) or not all(isinstance(x, str) for x in lst):
            raise DrawError(f"filters.{k}: list of strings")
        filters[k] = byte_sorted(set(lst))

    # AMBIGUITY: likewise `exclusions` is always the object with both keys, null where not given.
    excl_in = user.get("exclusions")
    excl_in = {} if excl_in is None else excl_in
    _check_keys(excl_in, ("yearlyCap", "lookbackDays"), "exclusions")
    exclusions = {}
    for k in ("yearlyCap", "lookbackDays"):
        v = excl_in.get(k)
        # AMBIGUITY: no bounds are given; we accept integers >= 0 (yearlyCap 0 excludes all).
        exclusions[k] = None if v is None else json_integer(v, f"exclusions.{k}", 0)

    matters = user["matters"]
    if not isinstance(matters, list) or not all(isinstance(m, str) for m in matters):
        raise DrawError("matters: list of codes")
    deps = user["departments"]
    if not isinstance(deps, list) or not deps:
        raise DrawError("departments: non-empty list")
    departments = []
    for d in deps:
        _check_keys(d, ("code", "officersPerTeam"), "department")
        if not isinstance(d.get("code"), str) or not d["code"] or any(c in d["code"] for c in FORBIDDEN):
            raise DrawError("department: code (without , \" ; CR LF)")
        k = json_integer(d.get("officersPerTeam"), "department.officersPerTeam", 1)
        departments.append({"code": d["code"], "officersPerTeam": k})
    if len({d["code"] for d in departments}) != len(departments):
        raise DrawError("departments: repeated code")
    if sum(d["officersPerTeam"] for d in departments) < 2:
        raise DrawError("team size must be at least 2")
    if not isinstance(user["randomnessSource"], str) or not user["randomnessSource"]:
        raise DrawError("randomnessSource: required")

    return {
        "algorithm": ALGORITHM,
        "attempt": attempt,
        "task": task,
        "year": year,
        "window": {"start": start.isoformat(), "end": end.isoformat()},
        "stratifyBy": stratify,
        "selection": selection,
        "excludeStrata": exclude,
        "filters": filters,
        "exclusions": exclusions,
        "matters": list(matters),
        "departments": departments,
        "randomnessSource": user["randomnessSource"],
    }


JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def json_string(s):
    """§3: exactly JSON.stringify's escaping. `"` and `\\`, the five short escapes, \\u00xx
    (lowercase) for the rest below U+0020, everything else as itself."""
    check_unicode(s)
    out = []
    for c in s:
        if c in JSON_ESCAPES:
            out.append(JSON_ESCAPES[c])
        elif c < " ":
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _json(v):
    if v is None:
        return "null"
    if v is True or v is False:
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json_string(v)
    if isinstance(v, list):
        return "[" + ",".join(_json(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ",".join(json_string(k) + ":" + _json(v[k]) for k in byte_sorted(v)) + "}"
    raise DrawError(f"no canonical JSON form for {v!r}")


def canonical_json(obj):
    """§3 canonical JSON, written by hand from the rules; checked against json.dumps, which
    the document says produces the same (it does, lone surrogates aside, which are rejected)."""
    text = _json(obj)
    assert text == json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text + "\n"


# ---------------------------------------------------------------- §3 manifest and commitment

def manifest(files):
    """files: {name: bytes}. One `<sha256>  <name>` line per file, in byte order of name."""
    return "".join(f"{sha256_hex(files[n])}  {n}\n" for n in byte_sorted(files))


def commitment(files):
    return sha256_hex(manifest(files))


def grade_commitment(uscc, stratum, salt):
    return sha256_hex("double-random-grade/1|" + uscc + "|" + stratum + "|" + salt)


def grade_salt(secret, params_json, uscc):
    """§3, the regulator's salt: per-draw key k = HMAC-SHA256(secret, "grade-salt/1|" +
    sha256_hex(params.json content)), then salt = sha256_hex(k + "|" + uscc).
    AMBIGUITY: k enters sha256_hex, which takes a string, so k is its 64 lowercase hex
    characters. `secret` is bytes (the vectors use the UTF-8 bytes of "reference-vector-key")."""
    if isinstance(params_json, bytes):
        params_json = params_json.decode("utf-8")
    k = hmac.new(secret, ("grade-salt/1|" + sha256_hex(params_json)).encode("utf-8"), hashlib.sha256).hexdigest()
    return sha256_hex(k + "|" + uscc)


def check_value(v, what):
    if not v or any(c in v for c in FORBIDDEN):
        raise DrawError(f"{what} is empty or contains one of , \" ; CR LF: {v!r}")


def csv_file(header, lines):
    """Canonical CSV: header, data lines sorted in byte order of the whole line, without
    duplicates, LF everywhere. Callers check the values (check_value) before joining them."""
    for line in lines:
        if line.count(",") != header.count(","):
            raise DrawError(f"a value contains ',': {line!r}")
        if '"' in line or "\r" in line or "\n" in line:
            raise DrawError(f"forbidden character in {line!r}")
    return header + "\n" + "".join(line + "\n" for line in byte_sorted(set(lines)))


# ---------------------------------------------------------------- §4 working seed

WHITESPACE = frozenset(
    [chr(c) for c in range(0x09, 0x0E)]
    + [chr(c) for c in (0x20, 0x85, 0xA0, 0x1680)]
    + [chr(c) for c in range(0x2000, 0x200B)]
    + [chr(c) for c in (0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF)]
)


def normalise_randomness(typed):
    """NFKC first, then remove exactly the white-space characters listed in §4."""
    s = unicodedata.normalize("NFKC", typed)
    s = "".join(c for c in s if c not in WHITESPACE)
    if not s:
        raise DrawError("the randomness is empty after normalisation")
    return s


def working_seed(commitment_hex, normalised):
    return sha256_hex(ALGORITHM + "\n" + commitment_hex + "\n" + normalised)


# ---------------------------------------------------------------- §5 tickets

def ticket(seed, ident):
    """consistent_sampler.first_fraction(ident, seed), as a string."""
    h = sha256_hex(seed)
    x = int(sha256_hex(h + ident), 16)
    return "0." + str(x).zfill(64)[::-1]


def offset_digits(seed, ident):
    """§7: d = the integer written by the first 18 digits of the ticket of `ident`.
    AMBIGUITY: "first 18 digits of the ticket" is read as the 18 digits after "0."."""
    return int(ticket(seed, ident)[2:20])


def rounding_identifiers(mode):
    """§5/§7: "~rounding/" + S for every stratum in mode `rates`, "~rounding" in mode `total`.
    AMBIGUITY: which offsets are published in mode `rates` - we publish all five."""
    return ["~rounding/" + s for s in STRATA] if mode == "rates" else ["~rounding"]


def rounding_offsets(seed, mode):
    """{identifier: d} for the draw's rounding offsets."""
    return {i: offset_digits(seed, i) for i in rounding_identifiers(mode)}


def officer_ticket(seed, cert):
    return ticket(seed, "~officer/" + cert)


# ---------------------------------------------------------------- parsing the canonical files

def parse_csv(name, data):
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    if text.startswith("\ufeff") or "\r" in text or not text.endswith("\n"):
        raise DrawError(f"{name}: not canonical (BOM, CR or missing final LF)")
    lines = text[:-1].split("\n")
    if lines[0] != HEADERS[name]:
        raise DrawError(f"{name}: bad header")
    body = lines[1:]
    for a, b in zip(body, body[1:]):
        if not byte_key(a) < byte_key(b):
            raise DrawError(f"{name}: lines not sorted in byte order or duplicated: {b!r}")
    width = HEADERS[name].count(",") + 1
    rows = [line.split(",") for line in body]
    if any(len(r) != width for r in rows):
        raise DrawError(f"{name}: wrong number of fields")
    return rows


def load(files):
    """files: {name: bytes or str} for the six canonical files. Checks that they are canonical
    and consistent with each other (§3) and returns their parsed contents."""
    files = {n: (v.encode("utf-8") if isinstance(v, str) else v) for n, v in files.items()}
    if set(files) != set(FILE_NAMES):
        raise DrawError("the six canonical files are required")
    params = json.loads(files["params.json"].decode("utf-8"))
    if not isinstance(params, dict) or params.get("algorithm") != ALGORITHM:
        raise DrawError("unknown algorithm")
    if "attempt" not in params:
        raise DrawError("params.json has no attempt")
    user = {k: v for k, v in params.items() if k not in ("algorithm", "attempt")}
    if canonical_json(canonical_params(user, params["attempt"])).encode("utf-8") != files["params.json"]:
        raise DrawError("params.json is not in canonical form")
    frame = parse_csv("frame.csv", files["frame.csv"])
    strata = parse_csv("strata.csv", files["strata.csv"])
    inspectors = parse_csv("inspectors.csv", files["inspectors.csv"])
    conflicts = parse_csv("conflicts.csv", files["conflicts.csv"])
    history = parse_csv("history.csv", files["history.csv"])
    frame_d = {u: g for u, g in frame}
    strata_d = {u: (st, salt) for u, st, salt in strata}
    if len(frame_d) != len(frame) or set(strata_d) != set(frame_d) or len(strata_d) != len(strata):
        raise DrawError("frame.csv and strata.csv must list the same entities, once each")
    for u, (st, salt) in strata_d.items():
        check_value(u, "uscc")
        if st not in STRATA or not re.match(r"^[0-9a-f]{64}$", salt):
            raise DrawError(f"strata.csv: bad line for {u}")
    deps = {d["code"] for d in params["departments"]}
    seen = set()
    for c, d, cap in inspectors:
        check_value(c, "certificate number")
        if c in seen:
            raise DrawError(f"inspectors.csv: {c} appears twice")
        seen.add(c)
        if d not in deps or not re.match(r"^(0|[1-9][0-9]*)$", cap):
            raise DrawError(f"inspectors.csv: bad line for {c}")
    for c, u in conflicts:
        if c not in seen or u not in frame_d:
            raise DrawError(f"conflicts.csv: {c},{u} is not between an officer and a frame entity")
    hist = []
    for u, d, dep, offs in history:
        if u not in frame_d:
            raise DrawError(f"history.csv: {u} is not in the frame")
        _date(d, "history date")
        check_value(dep, "department")
        officers = offs.split(";") if offs else []
        for o in officers:
            check_value(o, "certificate number")
        if [byte_key(o) for o in officers] != sorted(set(byte_key(o) for o in officers)):
            raise DrawError(f"history.csv: officers of {u} on {d} not in byte order")
        hist.append((u, d, dep, officers))
    return {
        "files": files,
        "params": params,
        "frame": frame_d,
        "strata": strata_d,
        "inspectors": [(c, d, int(cap)) for c, d, cap in inspectors],
        "conflicts": {(c, u) for c, u in conflicts},
        "history": hist,
    }


# ---------------------------------------------------------------- §6 frame, exclusions, strata

def classify(params, frame, strata, history):
    """Returns ({uscc: stratum}, {uscc: rule or None}) for every candidate."""
    excluded_strata = {e["stratum"] for e in params["excludeStrata"]}
    cap = params["exclusions"]["yearlyCap"]
    lookback = params["exclusions"]["lookbackDays"]
    start = datetime.date.fromisoformat(params["window"]["start"])
    since = None
    if lookback is not None:
        since = start - datetime.timedelta(days=lookback)
    by_entity = {}
    for u, d, _, _ in history:
        by_entity.setdefault(u, set()).add(datetime.date.fromisoformat(d))  # distinct dates
    stratum_of, rule_of = {}, {}
    for u in frame:
        if u not in strata:
            raise DrawError(f"{u} is in frame.csv but not in strata.csv")
        s = strata[u][0]
        if s not in STRATA:
            raise DrawError(f"{u}: bad stratum {s}")
        dates = by_entity.get(u, set())
        rule = None
        if s in excluded_strata:
            rule = "stratum-excluded"
        # §6: distinct dates in `year`: a joint visit recorded by two departments is one visit.
        elif cap is not None and sum(1 for d in dates if d.year == params["year"]) >= cap:
            rule = "yearly-cap"
        # §2/§6: only lines dated in [window.start - lookbackDays, window.start) exclude; visits
        # planned for the same period or later (e.g. an earlier draw of the same window, whose
        # selection is dated on its window's first day) do not.
        elif since is not None and any(since <= d < start for d in dates):
            rule = "lookback"
        stratum_of[u], rule_of[u] = s, rule
    if set(strata) != set(frame):
        raise DrawError("strata.csv and frame.csv list different entities")
    check_rates_cover_candidates(params, stratum_of)
    return stratum_of, rule_of


def check_rates_cover_candidates(params, stratum_of):
    """§2: every stratum that has candidates in the frame (before exclusions) must have a rate
    (or weight) unless it is in excludeStrata (canonical_params already rejects a rate or weight
    for an excluded stratum)."""
    sel = params["selection"]
    given = sel["rates"] if sel["mode"] == "rates" else sel["weights"]
    excluded = {e["stratum"] for e in params["excludeStrata"]}
    for s in STRATA:
        if s not in excluded and s not in given and any(v == s for v in stratum_of.values()):
            raise DrawError(f"stratum {s} has candidates but no {'rate' if sel['mode'] == 'rates' else 'weight'}")


# ---------------------------------------------------------------- §7 targets and rounding

def targets(selection, N):
    """x_S as exact Fractions. N: {S: N_S} for all five strata."""
    x = {s: Fraction(0) for s in STRATA}
    if selection["mode"] == "rates":
        for s in STRATA:
            if N[s] > 0:
                if s not in selection["rates"]:
                    # cannot happen after check_rates_cover_candidates (N_S <= candidates)
                    raise DrawError(f"stratum {s} has entities but no rate")
                x[s] = Fraction(selection["rates"][s]) * N[s]
        return x
    weights = selection["weights"]
    for s in STRATA:
        if N[s] > 0 and s not in weights:
            raise DrawError(f"stratum {s} has entities but no weight")
    R = Fraction(min(selection["total"], sum(N.values())))
    uncapped = [s for s in STRATA if N[s] > 0]
    while uncapped:
        denom = sum(N[t] * Fraction(weights[t]) for t in uncapped)
        trial = {s: R * N[s] * Fraction(weights[s]) / denom for s in uncapped}
        capped = [s for s in uncapped if trial[s] >= N[s]]
        if not capped:
            x.update(trial)
            break
        for s in capped:  # all of them at once
            x[s] = Fraction(N[s])
            R -= N[s]
        uncapped = [s for s in uncapped if s not in capped]
    return x


def floor(q):
    return q.numerator // q.denominator


def systematic_rounding(x, d):
    """Mode `total`: n_S = floor(x_S) + floor(u + C_S) - floor(u + C_before), u = d / 10**18,
    in the order A..U."""
    u = Fraction(d, 10**18)
    n, c = {}, Fraction(0)
    for s in STRATA:
        before = c
        c += x[s] - floor(x[s])
        n[s] = floor(x[s]) + floor(u + c) - floor(u + before)
    return n


def independent_rounding(x, ds):
    """Mode `rates`: n_S = floor(x_S) + 1 if u_S < f_S else floor(x_S), u_S = d_S / 10**18 from
    the ticket of "~rounding/" + S. ds: {S: d_S}. Exact: d/10**18 < p/q <=> d*q < p*10**18."""
    n = {}
    for s in STRATA:
        f = x[s] - floor(x[s])
        n[s] = floor(x[s]) + (1 if ds[s] * f.denominator < f.numerator * 10**18 else 0)
    return n


def rounding(selection, x, offsets):
    """offsets: {identifier: d} as from rounding_offsets(). Returns {S: n_S}."""
    if selection["mode"] == "rates":
        return independent_rounding(x, {s: offsets["~rounding/" + s] for s in STRATA})
    return systematic_rounding(x, offsets["~rounding"])


# ---------------------------------------------------------------- §8 selection

def cutoff_value(last, nxt):
    """§8: the shortest decimal c with last <= c < next: `next` cut just after the first
    position where `last` and `next` differ."""
    assert byte_key(last) < byte_key(nxt)
    i = 0
    while i < len(last) and last[i] == nxt[i]:
        i += 1
    # AMBIGUITY (unreachable in practice: tickets have 75-78 digits and would have to agree on
    # all of them): if `last` is a prefix of `next`, the shortest decimal is `last` itself while
    # the cut gives a longer string ending in 0; if `next` ends at the differing position, the
    # cut is `next` itself and c < next fails. The reference refuses both.
    if i == len(last) or i + 1 >= len(nxt):
        raise DrawError(f"§8 gives no single cutoff between {last} and {nxt}")
    c = nxt[:i + 1]
    assert byte_key(last) <= byte_key(c) < byte_key(nxt)
    return c


def select(seed, stratum_of, rule_of, n):
    """Returns (selected usccs in visit order, {uscc: ticket}, {S: cutoff or None})."""
    tickets, cutoff, selected = {}, {}, []
    for s in STRATA:
        eligible = [u for u in stratum_of if stratum_of[u] == s and rule_of[u] is None]
        for u in eligible:
            tickets[u] = ticket(seed, u)
        ordered = sorted(eligible, key=lambda u: byte_key(tickets[u]))
        chosen = ordered[:n[s]]
        if not chosen:
            # AMBIGUITY: with N_S = 0 both "every eligible entity is selected" ("1") and
            # "none is (n_S = 0)" (null) hold vacuously; we follow n_S = 0 -> null.
            cutoff[s] = None
        elif len(chosen) == len(ordered):
            cutoff[s] = "1"
        else:
            cutoff[s] = cutoff_value(tickets[chosen[-1]], tickets[ordered[len(chosen)]])
        selected += chosen
    visit = sorted(selected, key=lambda u: byte_key(tickets[u]))
    return visit, tickets, cutoff


# ---------------------------------------------------------------- §9 teams

def latest_officers(history):
    """Per entity: the union of the officers of all its history lines with the greatest date."""
    latest = {}
    for u, d, _, offs in history:
        if u not in latest or d > latest[u][0]:
            latest[u] = (d, set(offs))
        elif d == latest[u][0]:
            latest[u][1].update(offs)
    return {u: v[1] for u, v in latest.items()}


def draw_teams(params, seed, visit, inspectors, conflicts, history):
    """Returns (teams {uscc: [certs in listing order]}, shortfalls {dept: slots}, stats)."""
    last = latest_officers(history)
    dept_of, cap = {}, {}
    for c, d, k in inspectors:
        if c in dept_of:
            # §2: every officer belongs to exactly one department, so a certificate appears once.
            raise DrawError(f"officer {c} listed twice in inspectors.csv")
        dept_of[c], cap[c] = d, k
    t = {c: officer_ticket(seed, c) for c in dept_of}
    load = {c: 0 for c in dept_of}
    members = {e: {} for e in visit}  # members[e][dept] = set of certs
    shortfalls = {}
    stats = {"repairs": 0, "repair_path_lengths": []}

    def eligible(o, e):
        return (o, e) not in conflicts and o not in last.get(e, ())

    def key(o):
        return (load[o], byte_key(t[o]))

    for dep in byte_sorted(d["code"] for d in params["departments"]):
        k = next(d["officersPerTeam"] for d in params["departments"] if d["code"] == dep)
        officers = [c for c in dept_of if dept_of[c] == dep]
        for e in visit:
            team = members[e].setdefault(dep, set())
            for _slot in range(k):
                # 1. greedy
                free = [o for o in officers if eligible(o, e) and o not in team and load[o] < cap[o]]
                if free:
                    o = min(free, key=key)
                    team.add(o)
                    load[o] += 1
                    continue
                # 2. repair: BFS for an augmenting path
                start = sorted((o for o in officers if eligible(o, e) and o not in team), key=key)
                visited = set(start)
                reached_from = {}
                queue = deque(start)
                end = None
                while queue and end is None:
                    o = queue.popleft()
                    # e itself is not excluded here, but it can never extend a path: every
                    # officer eligible for e and not on its team is already visited (start set).
                    for e2 in visit:
                        if o not in members[e2].get(dep, ()):
                            continue
                        nxt = sorted((o2 for o2 in officers if eligible(o2, e2)
                                      and o2 not in members[e2][dep] and o2 not in visited), key=key)
                        for o2 in nxt:
                            visited.add(o2)
                            reached_from[o2] = (o, e2)
                            if load[o2] < cap[o2]:
                                end = o2
                                break
                            queue.append(o2)
                        if end is not None:
                            break
                if end is None:
                    # 3. short
                    shortfalls[dep] = shortfalls.get(dep, 0) + 1
                    continue
                stats["repairs"] += 1
                length = 0
                o2 = end
                while o2 in reached_from:
                    o, e2 = reached_from[o2]
                    members[e2][dep].remove(o)
                    members[e2][dep].add(o2)
                    o2 = o
                    length += 1
                team.add(o2)  # the first officer o1
                load[end] += 1
                stats["repair_path_lengths"].append(length)
    order = [d["code"] for d in params["departments"]]
    teams = {e: [c for dep in order for c in byte_sorted(members[e].get(dep, ()))] for e in visit}
    stats["load"] = load
    return teams, shortfalls, stats


# ---------------------------------------------------------------- §10 result.csv

def result_csv(visit, tickets, teams):
    lines = ["rank,uscc,ticket,team"]
    for i, e in enumerate(visit, 1):
        lines.append(f"{i},{e},{tickets[e]},{';'.join(teams[e])}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- whole draw / full verification

def fraction_string(q):
    """§11: an exact value in lowest terms, "p/q", or "p" when the denominator is 1."""
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def run_draw(files, randomness):
    """Everything the draw computes from the six files and the randomness as typed."""
    data = load(files)
    params = data["params"]
    man = manifest(data["files"])
    com = sha256_hex(man)
    norm = normalise_randomness(randomness)
    seed = working_seed(com, norm)
    stratum_of, rule_of = classify(params, data["frame"], data["strata"], data["history"])
    N = {s: sum(1 for u in stratum_of if stratum_of[u] == s and rule_of[u] is None) for s in STRATA}
    x = targets(params["selection"], N)
    offsets = rounding_offsets(seed, params["selection"]["mode"])
    n = rounding(params["selection"], x, offsets)
    visit, tickets, cutoff = select(seed, stratum_of, rule_of, n)
    teams, shortfalls, stats = draw_teams(params, seed, visit, data["inspectors"], data["conflicts"], data["history"])
    strata_out = []
    for s in STRATA:
        members = [u for u in stratum_of if stratum_of[u] == s]
        strata_out.append({
            "stratum": s,
            "candidates": len(members),
            "excluded": {r: sum(1 for u in members if rule_of[u] == r) for r in RULES},
            "N": N[s],
            "x": fraction_string(x[s]),
            "n": n[s],
            # AMBIGUITY: pi_S = x_S / N_S is undefined when N_S = 0; we write null.
            "pi": fraction_string(x[s] / N[s]) if N[s] else None,
            "cutoff": cutoff[s],
        })
    csv = None if shortfalls else result_csv(visit, tickets, teams)
    return {
        "manifest": man,
        "commitment": com,
        "normalised": norm,
        "workingSeed": seed,
        "roundingOffsets": {i: f"{d:018d}" for i, d in offsets.items()},
        "strata": strata_out,
        "excluded": [{"uscc": u, "rule": rule_of[u]} for u in byte_sorted(stratum_of) if rule_of[u]],
        "result_csv": csv,
        "result_sha256": None if csv is None else sha256_hex(csv),
        "shortfalls": shortfalls,
        "repairs": stats["repairs"],
        "_internal": {"data": data, "stratum_of": stratum_of, "rule_of": rule_of, "tickets": tickets,
                      "visit": visit, "teams": teams, "stats": stats, "seed": seed, "x": x, "N": N},
    }


def check_team_rules(params, data, visit, teams):
    """§11: every team rule checked on its own (independently of the §9 procedure)."""
    last = latest_officers(data["history"])
    dept_of = {c: d for c, d, _ in data["inspectors"]}
    cap = {c: k for c, _, k in data["inspectors"]}
    loads = {}
    for e in visit:
        team = teams[e]
        if len(set(team)) != len(team):
            raise DrawError(f"{e}: repeated officer")
        for dep in params["departments"]:
            got = [o for o in team if dept_of.get(o) == dep["code"]]
            if len(got) != dep["officersPerTeam"]:
                raise DrawError(f"{e}: {len(got)} officers of {dep['code']}")
        for o in team:
            if o not in dept_of:
                raise DrawError(f"{e}: {o} not in inspectors.csv")
            if (o, e) in data["conflicts"]:
                raise DrawError(f"{e}: conflict with {o}")
            if o in last.get(e, ()):
                raise DrawError(f"{e}: {o} was the last officer")
            loads[o] = loads.get(o, 0) + 1
    for o, k in loads.items():
        if k > cap[o]:
            raise DrawError(f"{o}: over capacity")


def verify_full(files, randomness, expected=None):
    """Full-level verification: recompute everything from the six files and the randomness,
    check grade commitments and every team rule on its own, and (if `expected` is given,
    in the format of test/vectors/draws/*/expected.json) compare. Returns the recomputation."""
    got = run_draw(files, randomness)
    data = got["_internal"]["data"]
    for u, g in data["frame"].items():
        s, salt = data["strata"][u]
        if grade_commitment(u, s, salt) != g:
            raise DrawError(f"{u}: grade commitment does not match strata.csv")
    # §8: an eligible entity of S is selected iff its ticket <= c_S (as strings); exactly n_S are
    i = got["_internal"]
    chosen = set(i["visit"])
    for st in got["strata"]:
        s, c = st["stratum"], st["cutoff"]
        eligible = [u for u in i["stratum_of"] if i["stratum_of"][u] == s and i["rule_of"][u] is None]
        if sum(1 for u in eligible if u in chosen) != st["n"]:
            raise DrawError(f"stratum {s}: n_S differs from its selection")
        if c is None:
            if st["n"]:
                raise DrawError(f"stratum {s}: no cutoff but n_S > 0")
            continue
        for u in eligible:
            if (u in chosen) != (byte_key(i["tickets"][u]) <= byte_key(c)):
                raise DrawError(f"stratum {s}: cutoff {c} does not separate the selection at {u}")
    if not got["shortfalls"]:
        check_team_rules(data["params"], data, got["_internal"]["visit"], got["_internal"]["teams"])
        rows = [line.split(",") for line in got["result_csv"].splitlines()[1:]]
        selected = [r[1] for r in rows]
        if len(set(selected)) != len(selected) or not set(selected) <= set(data["frame"]):
            raise DrawError("selection not distinct or not in the frame")
        if sum(s["n"] for s in got["strata"]) != len(selected):
            raise DrawError("sum of n_S differs from the selection size")
    if expected is not None:
        for k, v in expected.items():
            if k in got and got[k] != v:
                raise DrawError(f"first difference: {k}")
    return got


# ---------------------------------------------------------------- commit (§2/§3 from a registry)

SECTION_LETTER = re.compile(r"^[A-T]")


def industry_digits(code):
    """§2: industry codes are compared by their digits only - a leading section letter (GB/T 4754
    sections A-T) is dropped. AMBIGUITY: the document does not say which letters are section
    letters or what a filter without digits ("F") means; here "F" becomes "" and matches every
    entity with an industry code (even an empty one)."""
    return SECTION_LETTER.sub("", code)


def industry_match(code, prefixes):
    return any(industry_digits(code).startswith(industry_digits(p)) for p in prefixes)


def entity_in_frame(e, filters):
    """§2: active (存续) and passing every non-empty filter list."""
    if e["status"] != "active":
        return False
    if filters["entityTypes"] and e["type"] not in filters["entityTypes"]:
        return False
    if filters["industryCodes"] and not industry_match(e["industry"], filters["industryCodes"]):
        return False
    if filters["streets"] and e["street"] not in filters["streets"]:
        return False
    if filters["tags"] and not set(e["tags"]) & set(filters["tags"]):
        return False
    return True


def officer_eligible(o, params, matter_department):
    """§2: enforcement officer (not auxiliary), active, certificate valid on every day of the
    window, qualified for all the task's matters of their department, department participating."""
    if o["department"] not in {d["code"] for d in params["departments"]}:
        return False
    if not o["enforcement"] or not o["active"]:
        return False
    if not (o["valid_from"] <= params["window"]["start"] and params["window"]["end"] <= o["valid_to"]):
        return False
    needed = {m for m in params["matters"] if matter_department.get(m) == o["department"]}
    return needed <= set(o["matters"])


def build_files(params, registry, secret):
    """Freeze a registry into the six canonical files (§2, §3).

    registry = {
      "entities": [{uscc, status ("active"/"deregistered"), type, street, industry, tags, credit, sector}],
      "officers": [{cert, department, enforcement, active, valid_from, valid_to, matters, capacity, assigned}],
                  # assigned: what earlier non-voided draws of `year` already assigned
      "matter_department": {matter: department},
      "conflicts": [(cert, uscc)],
      "inspections": [(uscc, date, department, [certs])],
      "earlier_draws": [{commitment, window_start, drawn, voided, teams: {uscc: [certs]}}]  # optional
    }"""
    params_json = canonical_json(params)
    frame = [e for e in registry["entities"] if entity_in_frame(e, params["filters"])]
    frame_lines, strata_lines = [], []
    for e in frame:
        check_value(e["uscc"], "uscc")
        s = e["credit"] if params["stratifyBy"] == "credit" else e["sector"]
        s = s or "U"
        salt = grade_salt(secret, params_json, e["uscc"])
        frame_lines.append(f"{e['uscc']},{grade_commitment(e['uscc'], s, salt)}")
        strata_lines.append(f"{e['uscc']},{s},{salt}")

    insp_lines, certs = [], set()
    for o in registry["officers"]:
        if not officer_eligible(o, params, registry["matter_department"]):
            continue
        check_value(o["cert"], "certificate number")
        check_value(o["department"], "department code")
        if o["cert"] in certs:
            raise DrawError(f"officer {o['cert']} listed twice")
        certs.add(o["cert"])
        insp_lines.append(f"{o['cert']},{o['department']},{max(0, o['capacity'] - o['assigned'])}")

    in_frame = {e["uscc"] for e in frame}
    conflict_lines = [f"{c},{u}" for c, u in registry["conflicts"] if c in certs and u in in_frame]

    # §3: earlier drawn, non-voided draws count as inspections on their window's first day
    inspections = list(registry["inspections"])
    for dr in registry.get("earlier_draws", []):
        if dr["drawn"] and not dr["voided"]:
            inspections += [(u, dr["window_start"], "draw:" + dr["commitment"][:16], team)
                            for u, team in dr["teams"].items()]
    start = datetime.date.fromisoformat(params["window"]["start"])
    lookback = params["exclusions"]["lookbackDays"]
    since = None if lookback is None else (start - datetime.timedelta(days=lookback)).isoformat()
    latest = {}
    for u, d, _, _ in inspections:
        latest[u] = max(latest.get(u, d), d)
    hist_lines = []
    for u, d, dep, offs in inspections:
        if u not in in_frame:
            continue
        # §3: lines dated in `year` are kept even when no yearlyCap is set (the rule is unconditional).
        if int(d[:4]) == params["year"] or (since is not None and d >= since) or d == latest[u]:
            check_value(dep, "department")
            for o in offs:
                check_value(o, "certificate number")
            hist_lines.append(f"{u},{d},{dep},{';'.join(byte_sorted(set(offs)))}")

    files = {
        "params.json": params_json,
        "frame.csv": csv_file(HEADERS["frame.csv"], frame_lines),
        "strata.csv": csv_file(HEADERS["strata.csv"], strata_lines),
        "inspectors.csv": csv_file(HEADERS["inspectors.csv"], insp_lines),
        "conflicts.csv": csv_file(HEADERS["conflicts.csv"], conflict_lines),
        "history.csv": csv_file(HEADERS["history.csv"], hist_lines),
    }
    return {n: v.encode("utf-8") for n, v in files.items()}


# ---------------------------------------------------------------- registry import files

IMPORT_HEADERS = {
    "departments.csv": "code,name",
    "matters.csv": "code,department,name,importance,ratio_cap",
    "objects.csv": "uscc,name,entity_type,industry_code,street,registration_status,credit_grade,graded_on,sector_grade,tags",
    "inspectors.csv": "certificate_no,name,department,valid_from,valid_to,qualifications,kind,status,yearly_capacity",
    "conflicts.csv": "certificate_no,uscc,reason",
    "inspections.csv": "uscc,inspected_on,department,officers,result_codes",
}
LIST_SEP = "、"  # separates tags, qualifications and officers inside one import field


def read_import(path, name):
    """The import files of test/vectors/registry/ are plain UTF-8 CSV without quoting (no value
    contains `,`, `"` or a line break), LF line ends, header first."""
    text = open(path, encoding="utf-8").read()
    lines = text[:-1].split("\n") if text.endswith("\n") else text.split("\n")
    if lines[0] != IMPORT_HEADERS[name]:
        raise DrawError(f"{name}: bad header")
    keys = lines[0].split(",")
    rows = []
    for line in lines[1:]:
        vals = line.split(",")
        if len(vals) != len(keys) or '"' in line:
            raise DrawError(f"{name}: bad line {line!r}")
        rows.append(dict(zip(keys, vals)))
    return rows


def registry_from_import(directory):
    """The registry of build_files() from the six import files."""
    import os
    rd = {n: read_import(os.path.join(directory, n), n) for n in IMPORT_HEADERS}
    split = lambda v: [x for x in v.split(LIST_SEP)] if v else []  # noqa: E731
    return {
        "entities": [{"uscc": r["uscc"], "status": r["registration_status"], "type": r["entity_type"],
                      "street": r["street"], "industry": r["industry_code"], "tags": split(r["tags"]),
                      "credit": r["credit_grade"] or None, "sector": r["sector_grade"] or None}
                     for r in rd["objects.csv"]],
        "officers": [{"cert": r["certificate_no"], "department": r["department"], "enforcement": r["kind"] == "officer",
                      "active": r["status"] == "active", "valid_from": r["valid_from"], "valid_to": r["valid_to"],
                      "matters": split(r["qualifications"]), "capacity": int(r["yearly_capacity"]), "assigned": 0}
                     for r in rd["inspectors.csv"]],
        "matter_department": {r["code"]: r["department"] for r in rd["matters.csv"]},
        "conflicts": [(r["certificate_no"], r["uscc"]) for r in rd["conflicts.csv"]],
        "inspections": [(r["uscc"], r["inspected_on"], r["department"], split(r["officers"]))
                        for r in rd["inspections.csv"]],
        "earlier_draws": [],
    }


def verify_registry(directory):
    """test/vectors/registry/: rebuild the six canonical files from the import files, params.json
    and secret.txt (attempt 1), compare them with expected.json, then verify the draw."""
    import os
    expected = json.load(open(os.path.join(directory, "expected.json"), encoding="utf-8"))
    user = json.load(open(os.path.join(directory, "params.json"), encoding="utf-8"))
    secret = open(os.path.join(directory, "secret.txt"), "rb").read()
    params = canonical_params(user, expected["attempt"])
    files = build_files(params, registry_from_import(directory), secret)
    for n in FILE_NAMES:
        if files[n].decode("utf-8") != expected["files"][n]:
            raise DrawError(f"registry: {n} differs from expected.json")
    randomness = open(os.path.join(directory, "randomness.txt"), encoding="utf-8").read()
    return verify_full(files, randomness, expected)


if __name__ == "__main__":
    # python3 test/reference/draw_reference.py test/vectors/draws/* test/vectors/registry
    # re-verifies the vector directories
    import os
    import sys
    for d in sys.argv[1:]:
        if os.path.exists(os.path.join(d, "objects.csv")):
            got = verify_registry(d)
        else:
            files = {n: open(os.path.join(d, n), "rb").read() for n in FILE_NAMES}
            randomness = open(os.path.join(d, "randomness.txt"), encoding="utf-8").read()
            expected = json.load(open(os.path.join(d, "expected.json"), encoding="utf-8"))
            got = verify_full(files, randomness, expected)
        print(f"{d}: ok ({sum(s['n'] for s in got['strata'])} selected, "
              f"{'short ' + str(got['shortfalls']) if got['shortfalls'] else 'teams complete'}, "
              f"{got['repairs']} repairs)")
