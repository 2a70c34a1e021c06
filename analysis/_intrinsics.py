"""Low-level numba intrinsics for the sweep kernels.

``prefetch(arr, idx)`` asks the CPU to bring the cache line holding ``arr[idx]`` (a 1-D array) into cache
ahead of use (LLVM ``llvm.prefetch``: read, high locality). It never faults, even for an address outside
the array, and does not change any result; it only hides memory latency where the hardware prefetchers
cannot guess the pattern (the viewshed's east/west rays walk down columns, one row per cache line).

Note: numba's on-disk cache of a kernel that inlines this does not notice edits here; after editing,
delete ``analysis/__pycache__/*.nb[ic]``.
"""

from __future__ import annotations

from llvmlite import ir
from numba.core import cgutils, types
from numba.extending import intrinsic


@intrinsic
def prefetch(typingctx, arr, idx):
    """Prefetch the cache line of ``arr[idx]`` (1-D array, integer index; no bounds check, no wraparound)."""
    if not isinstance(arr, types.Array) or arr.ndim != 1 or not isinstance(idx, types.Integer):
        return None
    sig = types.void(arr, idx)

    def codegen(context, builder, signature, args):
        aryty, _ = signature.args
        ary = context.make_array(aryty)(context, builder, args[0])
        ptr = builder.gep(ary.data, [args[1]])
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
        # rw = 0 (read), locality = 3 (keep in all cache levels), cache type = 1 (data)
        builder.call(fn, [builder.bitcast(ptr, i8p), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return sig, codegen
