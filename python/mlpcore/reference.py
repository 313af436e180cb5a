"""NumPy twin of every mlpcore kernel: the definition of the results, in plain NumPy.

Each function here has the signature, the argument checks (same exception types, messages
starting with ``[kernel_name]``) and the numerical formula of the compiled kernel of the same
name in :mod:`mlpcore.kernels`. The tests compare the two; this module imports only NumPy.

Conventions shared by every function:

* float32 and float64 are both native and the output dtype is the input dtype. float32 inputs
  are computed in float32 (``np.exp`` on float32, ...), except that losses are accumulated in
  float64 and returned as Python floats.
* ndarray inputs of another dtype (int, bool, float16, complex, object) raise TypeError, and so
  does a mix of float32 and float64 among the float inputs of one call. Non-ndarray array-likes
  (lists, NumPy scalars) go through ``numpy.asarray``: a float32 or float64 result keeps its
  dtype (a list of floats is float64), integer and bool values take the dtype of the other
  float inputs of the call (float64 when there are none), anything else is a TypeError.
* Output-like arrays (``out``, ``dlogits``, ``dx``, ``dw``, ``db``, ``dy``, ``dscores``, ``c`` of
  gemm, ``param``/``velocity`` of sgd_step, ``param``/``m``/``v`` of adam_step, ``avg`` of
  average_step) are never converted: they must be writeable ndarrays of exactly the right dtype
  (else TypeError) and shape (else ValueError), overlapping no input (ValueError). The
  activation kernels accept ``out`` being exactly one of their inputs (in place).
* Integer class labels out of range raise IndexError.
* No NumPy warning is emitted on the documented special values (inf, NaN, empty reductions).

Tolerances of the compiled kernels against this module (as checked by the tests), with
eps = ``np.finfo(dtype).eps``:

* elementwise kernels and the softmax family: float64 ``rtol=1e-14`` (a few ulp), float32
  ``rtol=1e-6``; absolute slack ``1e-300`` (float64) or ``1e-7`` (float32) times the scale of the
  result (1 for probabilities, ``|dy|`` for a derivative, ``1 + |log-prob|`` for log-softmax).
* matmul, gemm, linear: ``|diff| <= 4 * (k + 2) * eps * (|alpha| |a| @ |b| + |beta c|)``, k the
  inner dimension (for linear_forward the activation is applied after this bound on z).
* losses: ``rtol=1e-12`` (float64) or ``1e-6`` (float32) of the loss plus the same relative slack
  per row (per-row losses are sums of non-negative terms, so no cancellation hides there).
"""

import functools
import operator

import numpy as np

__all__ = [
    "matmul", "gemm", "linear_forward", "linear_backward",
    "activation_forward", "activation_backward", "ACTIVATIONS",
    "softmax_forward", "log_softmax_forward",
    "cross_entropy_forward", "cross_entropy_backward", "cross_entropy_forward_backward",
    "squared_error_forward", "squared_error_backward",
    "perceptron_forward", "perceptron_backward",
    "sgd_step", "adam_step", "average_step",
]

# The twins of _core.ACTIVATIONS, _core.LOSSES and _core.OPTIMIZERS (this module never
# imports _core); tests/test_registries.py checks that they match.
ACTIVATIONS = ("identity", "sign", "heaviside", "tanh", "sigmoid", "relu", "softplus")
LOSSES = ("cross_entropy", "squared_error", "perceptron")
OPTIMIZERS = ("sgd", "adam")
REDUCTIONS = ("mean", "sum")
_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_F64 = np.float64


# ----------------------------------------------------------------------------------------------
# Argument checking: one small helper object per call, shared by every kernel.
# ----------------------------------------------------------------------------------------------

def _describe(x):
    return f"{x.dtype} of shape {tuple(x.shape)}"


def _ndim_text(ndim):
    if ndim is None:
        return ""
    if isinstance(ndim, int):
        return f"{ndim}-D "
    return " or ".join(f"{d}-D" for d in ndim) + " "


def _same_view(x, y):
    """True when x and y are the very same view (pointer, shape and strides)."""
    return (x.__array_interface__["data"][0] == y.__array_interface__["data"][0]
            and x.shape == y.shape and x.strides == y.strides)


class _Call:
    """Checks the arguments of one kernel call and raises the documented exceptions.

    ``floats`` maps the names of the float inputs (array-likes) to their values, ``outs`` the
    names of the output-like arrays that take part in the dtype of the call (gemm's c, sgd's
    param, ...). The dtype of the call is the common dtype of the float ndarrays among them.
    """

    def __init__(self, kernel, floats, outs=None):
        self.kernel = kernel
        self.inputs = []          # converted input arrays, for the overlap checks
        self.outputs = []         # checked output-like arrays
        self.converted = {}       # non-ndarray inputs after numpy.asarray
        dtypes = {}
        for name, x in list(floats.items()) + list((outs or {}).items()):
            if not isinstance(x, np.ndarray):
                if name not in floats:
                    continue          # output-like arrays are never converted
                try:
                    x = self.converted[name] = np.asarray(x)
                except Exception:
                    raise TypeError(self.msg(f"{name} must be array-like, got "
                                             f"{type(x).__name__}")) from None
                if x.dtype.kind in "biu":
                    continue          # takes the dtype of the call
            if x.dtype not in _FLOAT_DTYPES:
                raise TypeError(self.msg(f"{name} must be a float32 or float64 array, "
                                         f"got {_describe(x)}"))
            dtypes[name] = x.dtype
        if len(set(dtypes.values())) > 1:
            raise TypeError(self.msg("float inputs mix float32 and float64: " + ", ".join(
                f"{n} is {d}" for n, d in dtypes.items())))
        self.dtype = next(iter(dtypes.values())) if dtypes else np.dtype(_F64)
        self.scalar = self.dtype.type

    def msg(self, text):
        return f"[{self.kernel}] {text}"

    def array(self, name, x, ndim=None):
        """A float input of the call's dtype; ndim an int, a tuple of ints or None (any)."""
        if not isinstance(x, np.ndarray):
            x = self.converted[name]
            if x.dtype != self.dtype:
                x = x.astype(self.dtype)     # integer or bool values
        ok = ndim is None or x.ndim == ndim or (isinstance(ndim, tuple) and x.ndim in ndim)
        if not ok:
            raise ValueError(self.msg(f"{name} must be a {_ndim_text(ndim)}float32 or float64 "
                                      f"array, got {_describe(x)}"))
        self.inputs.append((name, x))
        return x

    def shape(self, cond, text):
        if not cond:
            raise ValueError(self.msg(text))

    def output(self, name, out, shape, alias_ok=False, contiguous=False):
        """An output-like array: allocated when None, else checked exactly (never converted)."""
        if out is None:
            out = np.empty(shape, self.dtype)
            self.outputs.append((name, out))
            return out
        if not isinstance(out, np.ndarray):
            raise TypeError(self.msg(f"{name} must be a numpy.ndarray of dtype {self.dtype}, "
                                     f"got {type(out).__name__}"))
        if out.dtype != self.dtype:
            raise TypeError(self.msg(f"{name} must have dtype {self.dtype}, got {_describe(out)}"))
        if tuple(out.shape) != tuple(shape):
            raise ValueError(self.msg(f"{name} must have shape {tuple(shape)}, "
                                      f"got {_describe(out)}"))
        if not out.flags.writeable:
            raise ValueError(self.msg(f"{name} must be writeable"))
        if out.size and any(st == 0 and n > 1 for st, n in zip(out.strides, out.shape)):
            raise ValueError(self.msg(f"{name} must not repeat elements (a zero stride)"))
        if contiguous and not out.flags.c_contiguous:
            raise ValueError(self.msg(f"{name} must be C-contiguous"))
        for is_input, (other, x) in ([(True, i) for i in self.inputs]
                                     + [(False, o) for o in self.outputs]):
            if np.may_share_memory(out, x):
                if alias_ok and is_input and _same_view(out, x):
                    continue
                raise ValueError(self.msg(f"{name} overlaps {other}"))
        self.outputs.append((name, out))
        return out

    def inout(self, name, x, ndim=None, contiguous=False):
        """An array updated in place (gemm's c, sgd's param, average_step's avg)."""
        if not isinstance(x, np.ndarray):
            raise TypeError(self.msg(f"{name} must be an array, got {type(x).__name__}"))
        self.output(name, x, x.shape, contiguous=contiguous)
        if ndim is not None and x.ndim != ndim:
            raise ValueError(self.msg(f"{name} must be a {ndim}-D float32 or float64 array, "
                                      f"got {_describe(x)}"))
        return x

    def activation(self, name):
        if name not in ACTIVATIONS:
            raise ValueError(self.msg(f"unknown activation {name!r}; valid names: "
                                      + ", ".join(ACTIVATIONS)))
        return name

    def reduction(self, name):
        if not isinstance(name, str):
            raise TypeError(self.msg(f"reduction must be 'mean' or 'sum', got {name!r}"))
        if name not in REDUCTIONS:
            raise ValueError(self.msg(f"unknown reduction {name!r}; valid names: mean, sum"))
        return name

    def labels(self, target, n, k):
        """Class indices (n,) of any integer dtype, or probabilities (n, k) of the call's dtype.

        Returns (indices or None, probabilities or None).
        """
        t = target if isinstance(target, np.ndarray) else np.asarray(target)
        is_list = not isinstance(target, np.ndarray)
        if t.ndim == 1:
            if t.dtype.kind not in "iu":
                raise TypeError(self.msg(f"target class indices must have an integer dtype, "
                                         f"got {_describe(t)}"))
            self.shape(t.shape[0] == n, f"target must have {n} class indices (one per row "
                                        f"of logits), got shape {tuple(t.shape)}")
            if t.size and (t.min() < 0 or t.max() >= k):
                bad = t[(t < 0) | (t >= k)][0]
                raise IndexError(self.msg(f"target class index {int(bad)} out of range "
                                          f"[0, {k})"))
            return t.astype(np.intp), None
        if t.ndim == 2:
            if is_list and t.dtype.kind in "biu":
                t = t.astype(self.dtype)
            if t.dtype != self.dtype:
                raise TypeError(self.msg(f"target probabilities must be a {self.dtype} array "
                                         f"like logits, got {_describe(t)}"))
            self.shape(t.shape == (n, k), f"target probabilities must have shape {(n, k)}, "
                                          f"got {_describe(t)}")
            self.inputs.append(("target", t))
            return None, t
        raise ValueError(self.msg(f"target must be class indices (n,) or probabilities (n, k), "
                                  f"got {_describe(t)}"))


def _quiet(fn):
    """Runs fn with NumPy's floating-point warnings off (inf, NaN, empty means are documented)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)
    return wrapper


def _store(out, value):
    out[...] = value
    return out


# ----------------------------------------------------------------------------------------------
# GEMM
# ----------------------------------------------------------------------------------------------

@_quiet
def matmul(a, b, out=None):
    """Matrix product a @ b in NumPy: the definition that kernels.matmul follows.

    Tolerance of the kernel: ``|diff| <= 4 (k + 2) eps (|a| @ |b|)``.

    Parameters
    ----------
    a : array_like, shape (m, k)
        Left factor, float32 or float64; any strides.
    b : array_like, shape (k, n)
        Right factor, of a's dtype.
    out : ndarray, shape (m, n), optional
        Array to write into.

    Returns
    -------
    ndarray, shape (m, n)
        The product (out when given).

    See Also
    --------
    mlpcore.kernels.matmul : The compiled twin.

    Examples
    --------
    >>> from mlpcore import reference
    >>> reference.matmul(np.eye(2), np.array([[1.0], [2.0]]))
    array([[1.],
           [2.]])
    """
    call = _Call("matmul", {"a": a, "b": b})
    a = call.array("a", a, 2)
    b = call.array("b", b, 2)
    call.shape(a.shape[1] == b.shape[0],
               f"inner dimensions differ: a is {tuple(a.shape)}, b is {tuple(b.shape)}")
    out = call.output("out", out, (a.shape[0], b.shape[1]))
    return _store(out, np.matmul(a, b))


@_quiet
def gemm(a, b, c, *, alpha=1.0, beta=0.0):
    """In-place c := alpha (a @ b) + beta c in NumPy; beta == 0 never reads c (as BLAS).

    Tolerance of the kernel: ``|diff| <= 4 (k + 2) eps (|alpha| |a| @ |b| + |beta c|)``.

    Parameters
    ----------
    a : array_like, shape (m, k)
        Left factor, float32 or float64.
    b : array_like, shape (k, n)
        Right factor, of a's dtype.
    c : ndarray, shape (m, n)
        Array updated in place, of a's dtype.
    alpha, beta : float, default 1.0 and 0.0
        Scales of the product and of the old c.

    Returns
    -------
    ndarray
        c itself.

    See Also
    --------
    mlpcore.kernels.gemm : The compiled twin.

    Examples
    --------
    >>> from mlpcore import reference
    >>> c = np.full((1, 1), 10.0)
    >>> reference.gemm(np.array([[2.0]]), np.array([[3.0]]), c, beta=0.5)
    array([[11.]])
    """
    call = _Call("gemm", {"a": a, "b": b}, {"c": c})
    a = call.array("a", a, 2)
    b = call.array("b", b, 2)
    call.shape(a.shape[1] == b.shape[0],
               f"inner dimensions differ: a is {tuple(a.shape)}, b is {tuple(b.shape)}")
    call.inout("c", c, 2)
    call.shape(c.shape == (a.shape[0], b.shape[1]),
               f"c must have shape {(a.shape[0], b.shape[1])}, got {_describe(c)}")
    prod = call.scalar(alpha) * np.matmul(a, b)
    if beta == 0:
        c[...] = prod
    else:
        c[...] = prod + call.scalar(beta) * c
    return c


# ----------------------------------------------------------------------------------------------
# Activations (elementwise, any shape); backward takes the output y
# ----------------------------------------------------------------------------------------------

def _act_forward(name, a):
    one = a.dtype.type(1)
    zero = a.dtype.type(0)
    if name == "identity":
        return a.copy()
    if name == "sign":
        return np.where(np.isnan(a), a, np.where(a < 0, -one, one))
    if name == "heaviside":
        return np.where(np.isnan(a), a, np.where(a < 0, zero, one))
    if name == "tanh":
        return np.tanh(a)
    if name == "sigmoid":
        e = np.exp(-np.abs(a))
        return np.where(a >= 0, one / (one + e), e / (one + e))
    if name == "relu":
        return np.maximum(a, zero)
    if name == "softplus":
        return np.maximum(a, zero) + np.log1p(np.exp(-np.abs(a)))
    raise AssertionError(name)


def _act_backward(name, y, dy):
    one = y.dtype.type(1)
    if name == "identity":
        return dy.copy()
    if name in ("sign", "heaviside"):
        return y.dtype.type(0) * dy
    if name == "tanh":
        return dy * (one - y * y)
    if name == "sigmoid":
        return dy * y * (one - y)
    if name == "relu":
        return dy * (y > 0).astype(y.dtype)
    if name == "softplus":
        return dy * -np.expm1(-y)
    raise AssertionError(name)


@_quiet
def activation_forward(name, a, out=None):
    """Activation g(a) elementwise in NumPy, any shape; out may be a itself.

    identity a; sign: -1 for a < 0 else +1 (sign(0) = +1); heaviside: 0 for a < 0 else 1;
    tanh; sigmoid 1/(1+exp(-a)) (a >= 0), exp(a)/(1+exp(a)) (a < 0); relu max(a, 0);
    softplus ``max(a, 0) + log1p(exp(-|a|))``. NaN gives NaN for every activation.
    Tolerance of the kernel: rtol 1e-14 (float64) / 1e-6 (float32), atol 1e-300 / 1e-7.

    Parameters
    ----------
    name : str
        One of ACTIVATIONS.
    a : array_like
        Pre-activations, float32 or float64.
    out : ndarray, optional
        Array of a's shape and dtype to write into.

    Returns
    -------
    ndarray
        g(a) (out when given).

    See Also
    --------
    mlpcore.kernels.activation_forward : The compiled twin.

    Examples
    --------
    >>> from mlpcore import reference
    >>> reference.activation_forward("heaviside", np.array([-1.0, 0.0, 1.0]))
    array([0., 1., 1.])
    """
    call = _Call("activation_forward", {"a": a})
    call.activation(name)
    a = call.array("a", a)
    out = call.output("out", out, a.shape, alias_ok=True)
    return _store(out, _act_forward(name, a))


@_quiet
def activation_backward(name, y, dy, out=None):
    """Gradient dL/da in NumPy from the output y = g(a) and dy = dL/dy, elementwise.

    identity dy; sign and heaviside 0*dy; tanh dy (1 - y^2); sigmoid dy y (1 - y);
    relu dy (y > 0); softplus dy (-expm1(-y)) (= dy sigmoid(a)). out may be y or dy.
    Tolerance of the kernel: rtol 1e-14 (float64) / 1e-6 (float32) of ``|result| + |dy|``.

    Parameters
    ----------
    name : str
        One of ACTIVATIONS.
    y : array_like
        Outputs of the activation.
    dy : array_like
        Gradient with respect to y, of y's shape and dtype.
    out : ndarray, optional
        Array to write into.

    Returns
    -------
    ndarray
        dL/da (out when given).

    See Also
    --------
    mlpcore.kernels.activation_backward : The compiled twin.

    Examples
    --------
    >>> from mlpcore import reference
    >>> reference.activation_backward("sigmoid", np.array([0.5]), np.array([2.0]))
    array([0.5])
    """
    call = _Call("activation_backward", {"y": y, "dy": dy})
    call.activation(name)
    y = call.array("y", y)
    dy = call.array("dy", dy)
    call.shape(y.shape == dy.shape, f"y and dy must have the same shape, got "
                                    f"{tuple(y.shape)} and {tuple(dy.shape)}")
    out = call.output("out", out, y.shape, alias_ok=True)
    return _store(out, _act_backward(name, y, dy))


# ----------------------------------------------------------------------------------------------
# Dense layer
# ----------------------------------------------------------------------------------------------

@_quiet
def linear_forward(x, w, b=None, activation="identity", out=None):
    """Dense layer g(x @ w + b) in NumPy, with x (n, d), w (d, k), b (k,) or None.

    Tolerance of the kernel: z = x @ w + b within ``4 (d + 2) eps (|x| @ |w| + |b|)``, then the
    activation's own tolerance (sign and heaviside compared where ``|z|`` exceeds that bound).

    Parameters
    ----------
    x : array_like, shape (n, d)
        Inputs.
    w : array_like, shape (d, k)
        Weights.
    b : array_like, shape (k,), optional
        Biases.
    activation : str, default "identity"
        One of ACTIVATIONS.
    out : ndarray, shape (n, k), optional
        Array to write into.

    Returns
    -------
    ndarray, shape (n, k)
        g(x @ w + b) (out when given).

    See Also
    --------
    mlpcore.kernels.linear_forward : The compiled twin.

    Examples
    --------
    >>> from mlpcore import reference
    >>> reference.linear_forward(np.array([[1.0, -2.0]]), np.eye(2), activation="relu")
    array([[1., 0.]])
    """
    floats = {"x": x, "w": w} if b is None else {"x": x, "w": w, "b": b}
    call = _Call("linear_forward", floats)
    call.activation(activation)
    x = call.array("x", x, 2)
    w = call.array("w", w, 2)
    call.shape(x.shape[1] == w.shape[0],
               f"x is {tuple(x.shape)} but w is {tuple(w.shape)}: x.shape[1] != w.shape[0]")
    k = w.shape[1]
    if b is not None:
        b = call.array("b", b, 1)
        call.shape(b.shape == (k,), f"b must have shape {(k,)}, got {_describe(b)}")
    out = call.output("out", out, (x.shape[0], k))
    z = np.matmul(x, w)
    if b is not None:
        z = z + b
    return _store(out, _act_forward(activation, z))


@_quiet
def linear_backward(x, w, dz, dx=None, dw=None, db=None):
    """Backward pass of a dense layer in NumPy: (dz @ w.T, x.T @ dz, dz.sum(axis=0)).

    dz (n, k) = dL/d(x @ w + b). Tolerance of the kernel: the matmul bound with the inner
    dimension k (dx) or n (dw, db).

    Parameters
    ----------
    x : array_like, shape (n, d)
        Inputs of the layer.
    w : array_like, shape (d, k)
        Weights.
    dz : array_like, shape (n, k)
        Gradient with respect to z.
    dx, dw, db : ndarray or None or False, optional
        Each: None (allocated), an array to write into, or False: not computed,
        returned as None (dx of a network's first layer).

    Returns
    -------
    tuple of (ndarray or None)
        (dx, dw, db).

    See Also
    --------
    mlpcore.kernels.linear_backward : The compiled twin.

    Examples
    --------
    >>> from mlpcore import reference
    >>> _, dw, db = reference.linear_backward(np.ones((3, 1)), np.ones((1, 1)), np.ones((3, 1)))
    >>> dw, db
    (array([[3.]]), array([3.]))
    """
    call = _Call("linear_backward", {"x": x, "w": w, "dz": dz})
    x = call.array("x", x, 2)
    w = call.array("w", w, 2)
    dz = call.array("dz", dz, 2)
    n, d = x.shape
    call.shape(w.shape[0] == d,
               f"x is {tuple(x.shape)} but w is {tuple(w.shape)}: x.shape[1] != w.shape[0]")
    k = w.shape[1]
    call.shape(dz.shape == (n, k), f"dz must have shape {(n, k)}, got {_describe(dz)}")
    results = []
    for name, given, shape, value in (("dx", dx, (n, d), lambda: np.matmul(dz, w.T)),
                                      ("dw", dw, (d, k), lambda: np.matmul(x.T, dz)),
                                      ("db", db, (k,), lambda: dz.sum(axis=0))):
        if given is True:
            raise TypeError(call.msg(f"{name} must be None (allocate it), an array to write "
                                     "into, or False (skip it), got True"))
        if given is False:
            results.append(None)
            continue
        out = call.output(name, given, shape)
        _store(out, value())
        results.append(out)
    return tuple(results)


# ----------------------------------------------------------------------------------------------
# Softmax family and losses
# ----------------------------------------------------------------------------------------------

def _shifted(a):
    """z = a - rowmax(a) and e = exp(z), in a's dtype (a has at least one column)."""
    z = a - a.max(axis=1, keepdims=True)
    return z, np.exp(z)


@_quiet
def softmax_forward(a, out=None):
    """Row-wise softmax in NumPy: z = a - rowmax(a); exp(z) / sum(exp(z)).

    A -inf logit gets probability 0; a row with a NaN, a +inf or only -inf gives NaN.
    Tolerance of the kernel: rtol 1e-14 (float64) / 1e-6 (float32), atol 1e-300 / 1e-7.

    Parameters
    ----------
    a : array_like, shape (n, k)
        Logits.
    out : ndarray, shape (n, k), optional
        Array to write into.

    Returns
    -------
    ndarray, shape (n, k)
        Probabilities (out when given).

    See Also
    --------
    mlpcore.kernels.softmax_forward : The compiled twin.

    Examples
    --------
    >>> from mlpcore import reference
    >>> reference.softmax_forward(np.array([[0.0, -np.inf]]))
    array([[1., 0.]])
    """
    call = _Call("softmax_forward", {"logits": a})
    a = call.array("logits", a, 2)
    out = call.output("out", out, a.shape)
    if a.size == 0:
        return out
    _, e = _shifted(a)
    return _store(out, e / e.sum(axis=1, keepdims=True))


@_quiet
def log_softmax_forward(a, out=None):
    """Row-wise log-softmax in NumPy: z = a - rowmax(a); z - log(sum(exp(z))).

    A -inf logit gets -inf; a row with a NaN, a +inf or only -inf gives NaN.
    Tolerance of the kernel: rtol 1e-14 (float64) / 1e-6 (float32) of ``1 + |result|``.

    Parameters
    ----------
    a : array_like, shape (n, k)
        Logits.
    out : ndarray, shape (n, k), optional
        Array to write into.

    Returns
    -------
    ndarray, shape (n, k)
        Log-probabilities (out when given).

    See Also
    --------
    mlpcore.kernels.log_softmax_forward : The compiled twin.

    Examples
    --------
    >>> from mlpcore import reference
    >>> reference.log_softmax_forward(np.array([[1e8, 1e8]])).round(4)
    array([[-0.6931, -0.6931]])
    """
    call = _Call("log_softmax_forward", {"logits": a})
    a = call.array("logits", a, 2)
    out = call.output("out", out, a.shape)
    if a.size == 0:
        return out
    z, e = _shifted(a)
    return _store(out, z - np.log(e.sum(axis=1, keepdims=True)))


def _ce_check(kernel, logits, target, reduction, dlogits, want_grad):
    call = _Call(kernel, {"logits": logits})
    call.reduction(reduction)
    a = call.array("logits", logits, 2)
    n, k = a.shape
    call.shape(k > 0 or n == 0, f"logits has {n} rows but zero classes")
    idx, prob = call.labels(target, n, k)
    if want_grad:
        dlogits = call.output("dlogits", dlogits, (n, k))
    return call, a, idx, prob, dlogits


def _mean_divisor(reduction, n):
    return n if reduction == "mean" else 1


def _ce_loss(a, idx, prob, reduction):
    n = a.shape[0]
    if a.size == 0:
        total = 0.0
    else:
        z, e = _shifted(a)
        lse = np.log(e.sum(axis=1, dtype=_F64))          # log sum exp(z), float64
        if idx is not None:
            rows = lse - z[np.arange(n), idx].astype(_F64)
        else:
            t = prob.astype(_F64)
            terms = np.where(t != 0, t * (lse[:, None] - z.astype(_F64)), 0.0)
            rows = terms.sum(axis=1)
        total = float(rows.sum())
    if reduction == "mean":
        return total / n if n else float("nan")
    return total


def _ce_grad(a, idx, prob, reduction, dlogits):
    n = a.shape[0]
    if a.size == 0:
        return dlogits
    _, e = _shifted(a)
    p = e / e.sum(axis=1, keepdims=True)
    if idx is not None:
        g = p
        g[np.arange(n), idx] -= a.dtype.type(1)
    else:
        g = p * prob.sum(axis=1, keepdims=True) - prob
    if reduction == "mean":
        g = g / a.dtype.type(n)
    return _store(dlogits, g)


@_quiet
def cross_entropy_forward(logits, target, reduction="mean"):
    """Cross-entropy of logits (n, k) against class indices (n,) or probabilities (n, k), in NumPy.

    Per row: logsumexp(a) - a[t] (indices) or sum_k t_k (logsumexp(a) - a_k) with the terms of
    t_k == 0 left out; summed in float64; "mean" divides by n (nan for n == 0).
    Tolerance of the kernel: rtol 1e-12 (float64) / 1e-6 (float32) of ``|loss| + rows/n``.

    Parameters
    ----------
    logits : array_like, shape (n, k)
        Scores.
    target : array_like, shape (n,) or (n, k)
        Class indices or probabilities.
    reduction : {"mean", "sum"}, default "mean"
        Mean or sum over the rows.

    Returns
    -------
    float
        The loss.

    See Also
    --------
    mlpcore.kernels.cross_entropy_forward : The compiled twin.

    Examples
    --------
    >>> from mlpcore import reference
    >>> round(reference.cross_entropy_forward(np.zeros((2, 4)), np.array([0, 3])), 4)
    1.3863
    """
    _, a, idx, prob, _ = _ce_check("cross_entropy_forward", logits, target, reduction, None,
                                   False)
    return _ce_loss(a, idx, prob, reduction)


@_quiet
def cross_entropy_backward(logits, target, dlogits=None, reduction="mean"):
    """Gradient of the cross-entropy with respect to the logits, in NumPy.

    dL/dlogits = softmax(a) * sum_k t_k - t per row (softmax - onehot for indices), /n if mean.
    Tolerance of the kernel: rtol 1e-14 (float64) / 1e-6 (float32) of ``|result| + max|t|/n``.

    Parameters
    ----------
    logits : array_like, shape (n, k)
        Scores.
    target : array_like, shape (n,) or (n, k)
        Class indices or probabilities.
    dlogits : ndarray, shape (n, k), optional
        Array to write into.
    reduction : {"mean", "sum"}, default "mean"
        Mean or sum over the rows.

    Returns
    -------
    ndarray, shape (n, k)
        The gradient (dlogits when given).

    See Also
    --------
    mlpcore.kernels.cross_entropy_backward : The compiled twin.

    Examples
    --------
    >>> from mlpcore import reference
    >>> reference.cross_entropy_backward(np.zeros((1, 2)), np.array([1]))
    array([[ 0.5, -0.5]])
    """
    _, a, idx, prob, dlogits = _ce_check("cross_entropy_backward", logits, target, reduction,
                                         dlogits, True)
    return _ce_grad(a, idx, prob, reduction, dlogits)


@_quiet
def cross_entropy_forward_backward(logits, target, dlogits=None, reduction="mean"):
    """Cross-entropy and its gradient in NumPy: the pair of the two functions above.

    Tolerance of the kernel: those of cross_entropy_forward and cross_entropy_backward.

    Parameters
    ----------
    logits : array_like, shape (n, k)
        Scores.
    target : array_like, shape (n,) or (n, k)
        Class indices or probabilities.
    dlogits : ndarray, shape (n, k), optional
        Array to write the gradient into.
    reduction : {"mean", "sum"}, default "mean"
        Mean or sum over the rows.

    Returns
    -------
    tuple of (float, ndarray)
        (loss, dlogits).

    See Also
    --------
    mlpcore.kernels.cross_entropy_forward_backward : The compiled twin.

    Examples
    --------
    >>> from mlpcore import reference
    >>> target = np.array([[0.0, 1.0]])
    >>> loss, grad = reference.cross_entropy_forward_backward(np.zeros((1, 2)), target)
    >>> round(loss, 4), grad
    (0.6931, array([[ 0.5, -0.5]]))
    """
    _, a, idx, prob, dlogits = _ce_check("cross_entropy_forward_backward", logits, target,
                                         reduction, dlogits, True)
    return _ce_loss(a, idx, prob, reduction), _ce_grad(a, idx, prob, reduction, dlogits)


def _pair_check(kernel, ynames, y, d, reduction, dout_name=None, dout=None):
    call = _Call(kernel, {ynames[0]: y, ynames[1]: d})
    call.reduction(reduction)
    y = call.array(ynames[0], y, (1, 2))
    d = call.array(ynames[1], d, (1, 2))
    call.shape(y.shape == d.shape, f"{ynames[0]} and {ynames[1]} must have the same shape, "
                                   f"got {tuple(y.shape)} and {tuple(d.shape)}")
    if dout_name is not None:
        dout = call.output(dout_name, dout, y.shape)
    return call, y, d, dout


def _reduce_loss(values64, reduction, n):
    total = float(values64.sum())
    if reduction == "mean":
        return total / n if n else float("nan")
    return total


@_quiet
def squared_error_forward(y, d, reduction="mean"):
    """Squared error E = 0.5 sum (y - d)^2 over all elements in NumPy (float64 sum).

    "mean" divides by n = y.shape[0]. Tolerance of the kernel: rtol 1e-12 (float64) /
    1e-6 (float32) of E.

    Parameters
    ----------
    y : array_like, shape (n,) or (n, k)
        Outputs.
    d : array_like
        Targets, of y's shape.
    reduction : {"mean", "sum"}, default "mean"
        Mean or sum over the rows.

    Returns
    -------
    float
        E.

    See Also
    --------
    mlpcore.kernels.squared_error_forward : The compiled twin.

    Examples
    --------
    >>> from mlpcore import reference
    >>> reference.squared_error_forward(np.array([[1.0, 1.0], [3.0, 3.0]]), np.zeros((2, 2)))
    5.0
    """
    _, y, d, _ = _pair_check("squared_error_forward", ("y", "d"), y, d, reduction)
    r = (y - d).astype(_F64)
    return _reduce_loss(0.5 * (r * r), reduction, y.shape[0])


@_quiet
def squared_error_backward(y, d, dy=None, reduction="mean"):
    """Gradient of the squared error in NumPy: dE/dy = y - d, in y's dtype.

    Divided by n = y.shape[0] for "mean".
    Tolerance of the kernel: rtol 1e-14 (float64) / 1e-6 (float32).

    Parameters
    ----------
    y : array_like, shape (n,) or (n, k)
        Outputs.
    d : array_like
        Targets, of y's shape.
    dy : ndarray, optional
        Array to write into.
    reduction : {"mean", "sum"}, default "mean"
        Mean or sum over the rows.

    Returns
    -------
    ndarray
        dE/dy (dy when given).

    See Also
    --------
    mlpcore.kernels.squared_error_backward : The compiled twin.

    Examples
    --------
    >>> from mlpcore import reference
    >>> reference.squared_error_backward(np.array([1.0, 3.0]), np.array([0.0, 1.0]))
    array([0.5, 1. ])
    """
    call, y, d, dy = _pair_check("squared_error_backward", ("y", "d"), y, d, reduction, "dy", dy)
    g = y - d
    if reduction == "mean":
        g = g / call.scalar(y.shape[0])
    return _store(dy, g)


def _perceptron_targets(call, d):
    if not np.all((d == 1) | (d == -1)):
        raise ValueError(call.msg("d must contain only -1 and +1"))


@_quiet
def perceptron_forward(scores, d, reduction="mean"):
    """The perceptron criterion E = sum max(-d s, 0), d in {-1, +1}, in NumPy.

    "mean" divides by the number of rows.
    Tolerance of the kernel: rtol 1e-12 (float64) / 1e-6 (float32) of E.

    Parameters
    ----------
    scores : array_like, shape (n,) or (n, k)
        Scores s.
    d : array_like
        Targets in {-1, +1}, of the scores' shape.
    reduction : {"mean", "sum"}, default "mean"
        Mean or sum over the rows.

    Returns
    -------
    float
        E.

    See Also
    --------
    mlpcore.kernels.perceptron_forward : The compiled twin.

    Examples
    --------
    >>> from mlpcore import reference
    >>> reference.perceptron_forward(np.array([-2.0, 1.0]), np.array([1.0, 1.0]))
    1.0
    """
    call, s, d, _ = _pair_check("perceptron_forward", ("scores", "d"), scores, d, reduction)
    _perceptron_targets(call, d)
    return _reduce_loss(np.maximum(-d * s, 0).astype(_F64), reduction, s.shape[0])


@_quiet
def perceptron_backward(scores, d, dscores=None, reduction="mean"):
    """Gradient of the perceptron criterion in NumPy: dE/ds = -d where sign(s) != d, else 0.

    sign(0) = +1; divided by the number of rows for "mean".
    Tolerance of the kernel: exact up to the rounding of 1/n (rtol 1e-14 / 1e-6).

    Parameters
    ----------
    scores : array_like, shape (n,) or (n, k)
        Scores s.
    d : array_like
        Targets in {-1, +1}, of the scores' shape.
    dscores : ndarray, optional
        Array to write into.
    reduction : {"mean", "sum"}, default "mean"
        Mean or sum over the rows.

    Returns
    -------
    ndarray
        dE/ds (dscores when given).

    See Also
    --------
    mlpcore.kernels.perceptron_backward : The compiled twin.

    Examples
    --------
    >>> from mlpcore import reference
    >>> reference.perceptron_backward(np.array([-2.0, 1.0]), np.array([1.0, 1.0]))
    array([-0.5,  0. ])
    """
    call, s, d, dscores = _pair_check("perceptron_backward", ("scores", "d"), scores, d,
                                      reduction, "dscores", dscores)
    _perceptron_targets(call, d)
    mistake = np.where(d > 0, s < 0, s >= 0)
    g = np.where(mistake, -d, call.scalar(0))
    if reduction == "mean":
        g = g / call.scalar(s.shape[0])
    return _store(dscores, g)


# ----------------------------------------------------------------------------------------------
# Optimizer steps (in place)
# ----------------------------------------------------------------------------------------------

@_quiet
def sgd_step(param, grad, lr, *, momentum=0.0, velocity=None, weight_decay=0.0, nesterov=False):
    """One SGD step in place in NumPy, with PyTorch's semantics (dampening 0).

    g = grad + weight_decay param; with momentum: velocity = momentum velocity + g and
    g = g + momentum velocity (nesterov) or velocity; param -= lr g. param must be C-contiguous.
    Tolerance of the kernel: rtol 1e-14 (float64) / 1e-6 (float32) of ``|param| + |lr g|``.

    Parameters
    ----------
    param : ndarray
        Parameters, updated in place.
    grad : array_like
        Gradient.
    lr : float
        Step size.
    momentum : float, default 0.0
        Momentum factor.
    velocity : ndarray, optional
        Momentum buffer, updated in place.
    weight_decay : float, default 0.0
        L2 penalty factor.
    nesterov : bool, default False
        Nesterov momentum.

    Returns
    -------
    ndarray
        param itself.

    See Also
    --------
    mlpcore.kernels.sgd_step : The compiled twin.

    Examples
    --------
    >>> from mlpcore import reference
    >>> param, velocity = np.array([1.0]), np.zeros(1)
    >>> for _ in range(2):
    ...     _ = reference.sgd_step(param, np.array([1.0]), 0.1, momentum=0.9, velocity=velocity)
    >>> param.round(4), velocity.round(4)
    (array([0.71]), array([1.9]))
    """
    call = _Call("sgd_step", {"grad": grad}, {"param": param})
    grad = call.array("grad", grad)
    call.inout("param", param, contiguous=True)
    call.shape(grad.shape == param.shape, f"grad must have the shape of param "
                                          f"{tuple(param.shape)}, got {tuple(grad.shape)}")
    if nesterov and momentum == 0:
        raise ValueError(call.msg("nesterov requires a non-zero momentum"))
    if momentum != 0:
        if velocity is None:
            raise ValueError(call.msg("momentum != 0 requires a velocity array"))
        velocity = call.output("velocity", velocity, param.shape)
    f = call.scalar
    g = grad.copy()
    if weight_decay != 0:
        g = g + f(weight_decay) * param
    if momentum != 0:
        velocity[...] = f(momentum) * velocity + g
        g = g + f(momentum) * velocity if nesterov else velocity.copy()
    param -= f(lr) * g
    return param


def _int_arg(call, name, value):
    """An int argument (an int or anything with __index__), as the kernels take it."""
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(call.msg(f"{name} must be an int, got {type(value).__name__}")) from None


@_quiet
def adam_step(param, grad, lr, m, v, step, *, beta1=0.9, beta2=0.999, eps=1e-8,
              weight_decay=0.0):
    """One Adam step in place in NumPy, with PyTorch's semantics (amsgrad off).

    g = grad + weight_decay param; m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g^2;
    param -= lr / (1 - beta1^step) m / (sqrt(v) / sqrt(1 - beta2^step) + eps), in torch's
    order of operations. param, m and v must be C-contiguous.
    Tolerance of the kernel: rtol 1e-14 (float64) / 1e-6 (float32) of ``|param| + |lr m / denom|``.

    Parameters
    ----------
    param : ndarray
        Parameters, updated in place.
    grad : array_like
        Gradient.
    lr : float
        Step size.
    m, v : ndarray
        First and second moments, updated in place.
    step : int
        The number of this update, from 1.
    beta1, beta2 : float, default 0.9 and 0.999
        Decay rates of m and v.
    eps : float, default 1e-8
        Added to the denominator.
    weight_decay : float, default 0.0
        L2 penalty factor.

    Returns
    -------
    ndarray
        param itself.

    See Also
    --------
    mlpcore.kernels.adam_step : The compiled twin.

    Examples
    --------
    >>> from mlpcore import reference
    >>> param, m, v = np.zeros(1), np.zeros(1), np.zeros(1)
    >>> reference.adam_step(param, np.array([-5.0]), 0.01, m, v, 1).round(6)
    array([0.01])
    """
    call = _Call("adam_step", {"grad": grad}, {"param": param})
    grad = call.array("grad", grad)
    call.inout("param", param, contiguous=True)
    call.shape(grad.shape == param.shape, f"grad must have the shape of param "
                                          f"{tuple(param.shape)}, got {tuple(grad.shape)}")
    step = _int_arg(call, "step", step)
    if step < 1:
        raise ValueError(call.msg(f"step must be >= 1 (the count of this update, from 1), "
                                  f"got {step}"))
    for name, value in (("lr", lr), ("beta1", beta1), ("beta2", beta2), ("eps", eps),
                        ("weight_decay", weight_decay)):
        if not np.isfinite(value):
            raise ValueError(call.msg(f"{name} must be finite, got {value}"))
    for name, value in (("beta1", beta1), ("beta2", beta2)):
        if not 0 <= value < 1:
            raise ValueError(call.msg(f"{name} must be in [0, 1), got {value}"))
    if eps < 0:
        raise ValueError(call.msg(f"eps must be >= 0, got {eps}"))
    for name, x in (("m", m), ("v", v)):
        if x is None:
            raise TypeError(call.msg(f"{name} must be an array of param's shape and dtype "
                                     f"(e.g. numpy.zeros_like(param)), got None"))
        call.output(name, x, param.shape, contiguous=True)
    f = call.scalar
    beta1, beta2, lr, eps = float(beta1), float(beta2), float(lr), float(eps)
    g = grad + f(weight_decay) * param
    w1 = f(1.0 - beta1)  # torch's lerp_: the form depends on the weight
    m[...] = m + w1 * (g - m) if w1 < 0.5 else g - (g - m) * f(beta1)
    v[...] = f(beta2) * v + f(1.0 - beta2) * g * g
    bc1, bc2 = 1.0 - beta1 ** step, 1.0 - beta2 ** step
    param += f(-(lr / bc1)) * m / (np.sqrt(v) / f(bc2 ** 0.5) + f(eps))
    return param


@_quiet
def average_step(avg, param, n):
    """Averaging step in NumPy: avg = n/(n+1) avg + param/(n+1) in place.

    The running mean of n+1 iterates, with n a non-negative int.
    Tolerance of the kernel: rtol 1e-14 (float64) / 1e-6 (float32).

    Parameters
    ----------
    avg : ndarray
        The average of n iterates, updated in place.
    param : array_like
        The next iterate.
    n : int
        How many iterates avg holds.

    Returns
    -------
    ndarray
        avg itself.

    See Also
    --------
    mlpcore.kernels.average_step : The compiled twin.

    Examples
    --------
    >>> from mlpcore import reference
    >>> reference.average_step(np.array([2.0]), np.array([5.0]), 2)
    array([3.])
    """
    call = _Call("average_step", {"param": param}, {"avg": avg})
    param = call.array("param", param)
    call.inout("avg", avg)
    n = _int_arg(call, "n", n)
    if n < 0:
        raise ValueError(call.msg(f"n must be non-negative, got {n}"))
    call.shape(param.shape == avg.shape, f"param must have the shape of avg "
                                         f"{tuple(avg.shape)}, got {tuple(param.shape)}")
    avg[...] = call.scalar(n / (n + 1)) * avg + param / call.scalar(n + 1)
    return avg


# ----------------------------------------------------------------------------------------------
# The training loop: the NumPy twin of the compiled epoch (mlpcore._core.Trainer.epoch).
# ----------------------------------------------------------------------------------------------

_MASK64 = (1 << 64) - 1


def splitmix64_next(state):
    """(next number, next state) of the splitmix64 generator, as the compiled loop has it."""
    state = (state + 0x9E3779B97F4A7C15) & _MASK64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31), state


def shuffle_indices(n, state):
    """(permutation of range(n), next state): Fisher-Yates from the last position down,
    each swap partner drawn as (r * (i + 1)) >> 64 from the next splitmix64 number r."""
    idx = list(range(n))
    for i in range(n - 1, 0, -1):
        r, state = splitmix64_next(state)
        j = (r * (i + 1)) >> 64
        idx[i], idx[j] = idx[j], idx[i]
    return np.array(idx, dtype=np.int64), state


def _loss_and_output_gradient(loss, out, target, weights, scale):
    """scale * sum_i w_i loss_i and its gradient with respect to the network's output."""
    w = np.ones(len(out)) if weights is None else weights.astype(np.float64)
    if loss == "cross_entropy":
        logp = log_softmax_forward(out).astype(np.float64)
        rows = -logp[np.arange(len(out)), target]
        grad = softmax_forward(out)
        grad[np.arange(len(out)), target] -= 1
    elif loss == "squared_error":
        diff = out - target
        rows = 0.5 * np.sum(diff.astype(np.float64) ** 2, axis=1)
        grad = diff
    else:  # the perceptron criterion, sign(0) = +1
        margin = (-target * out).astype(np.float64)
        rows = np.maximum(margin, 0).sum(axis=1)
        mistake = np.where(target > 0, out < 0, out >= 0)
        grad = np.where(mistake, -target, 0).astype(out.dtype)
    grad = (grad * (w * scale).astype(out.dtype)[:, None]).astype(out.dtype)
    return float(np.sum(w * rows) * scale), grad


def train_epoch(weights, biases, activations, loss, X, y, *, batch_size, learning_rate,
                shuffle=True, schedule="constant", power_t=0.5, momentum=0.0, nesterov=False,
                weight_decay=0.0, fit_bias=True, sample_weight=None, velocities=None,
                averages=None, average=False, state=None, optimizer="sgd", beta1=0.9,
                beta2=0.999, epsilon=1e-8, second_moments=None):
    """One epoch of minibatch SGD or Adam over a dense network, step for step as the
    compiled loop: the same permutation (shuffle_indices), batches, forward pass, loss
    (sample-weighted, divided by the batch size), backpropagation, sgd_step or adam_step
    (weight decay on the weights only; Adam's first moments in velocities, its step the
    count of updates from 1) and Polyak-Ruppert averaging. weights/biases (and
    velocities/second_moments/averages, lists of (w, b) pairs) are updated in place;
    state is a dict with "rng", "step" and "average_count", updated in place. y: class indices
    (cross_entropy), an (n, k) matrix (squared_error) or (n, 1) labels -1/+1
    (perceptron). Returns the mean objective over the batches and the last learning
    rate. Tolerance to the compiled loop: the kernels' own, compounded over the steps.
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"[train_epoch] optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    state = {"rng": 0, "step": 0, "average_count": 0} if state is None else state
    n = len(X)
    batch = max(1, min(batch_size, n))
    order = np.arange(n)
    if shuffle and batch < n:
        order, state["rng"] = shuffle_indices(n, state["rng"])
    total, lr = 0.0, learning_rate
    for start in range(0, n, batch):
        rows = order[start:start + batch]
        xb, yb = X[rows], y[rows]
        wb = None if sample_weight is None else sample_weight[rows]
        h = [xb]
        for w, b, g in zip(weights, biases, activations):
            h.append(linear_forward(h[-1], w, b, g))
        batch_loss, delta = _loss_and_output_gradient(loss, h[-1], yb, wb, 1.0 / len(rows))
        grads = [None] * len(weights)
        for k in range(len(weights) - 1, -1, -1):
            dx, dw, db = linear_backward(h[k], weights[k], delta)
            grads[k] = (dw, db)
            if k:
                delta = activation_backward(activations[k - 1], h[k], dx)
        penalty = 0.5 * weight_decay * sum(float(np.sum(w.astype(np.float64) ** 2))
                                           for w in weights)
        total += (batch_loss + penalty) * len(rows)
        lr = learning_rate
        if schedule == "invscaling":
            lr = learning_rate / (1.0 + state["step"]) ** power_t
        for k, (dw, db) in enumerate(grads):
            if optimizer == "adam":
                (mw, mb), (sw, sb) = velocities[k], second_moments[k]
                settings = dict(beta1=beta1, beta2=beta2, eps=epsilon)
                adam_step(weights[k], dw, lr, mw, sw, state["step"] + 1,
                          weight_decay=weight_decay, **settings)
                if fit_bias:
                    adam_step(biases[k], db, lr, mb, sb, state["step"] + 1, **settings)
            else:
                vw, vb = velocities[k] if momentum else (None, None)
                sgd_step(weights[k], dw, lr, momentum=momentum, velocity=vw,
                         weight_decay=weight_decay, nesterov=nesterov)
                if fit_bias:
                    sgd_step(biases[k], db, lr, momentum=momentum, velocity=vb,
                             nesterov=nesterov)
            if average:
                average_step(averages[k][0], weights[k], state["average_count"])
                average_step(averages[k][1], biases[k], state["average_count"])
        if average:
            state["average_count"] += 1
        state["step"] += 1
    return {"loss": total / n, "learning_rate": lr}
