"""The AWS GPU instance types cirun may be allowed to launch: a documented allow-list, offline.

Why a list in code rather than a call to ``ec2:DescribeInstanceTypes``: validation never touches
the network, and a typo in the pool file (``g5.xlarg``) must be refused before anything is
declared, not turn into an IAM condition that silently matches nothing. The list names the
NVIDIA/AMD GPU families and the sizes AWS sells in each (from the EC2 instance-type pages, 2026).
It says what *exists*; what conda-forge *allows* is `data/runners/aws-gpu-pool.yaml`.
Add a family here when AWS launches one and someone needs it.
"""

from __future__ import annotations

GPU_INSTANCE_SIZES: dict[str, tuple[str, ...]] = {
    # NVIDIA T4 (the cheapest CUDA GPUs on EC2; the usual choice for CI).
    "g4dn": ("xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "metal"),
    # AMD Radeon Pro V520 (no CUDA; listed so that a ROCm build can be allowed deliberately).
    "g4ad": ("xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge"),
    # NVIDIA A10G.
    "g5": (
        "xlarge",
        "2xlarge",
        "4xlarge",
        "8xlarge",
        "12xlarge",
        "16xlarge",
        "24xlarge",
        "48xlarge",
    ),
    # Graviton2 (aarch64) with NVIDIA T4G: CUDA builds for linux-aarch64.
    "g5g": ("xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge", "metal"),
    # NVIDIA L4.
    "g6": (
        "xlarge",
        "2xlarge",
        "4xlarge",
        "8xlarge",
        "12xlarge",
        "16xlarge",
        "24xlarge",
        "48xlarge",
    ),
    "gr6": ("4xlarge", "8xlarge"),
    # NVIDIA L40S.
    "g6e": (
        "xlarge",
        "2xlarge",
        "4xlarge",
        "8xlarge",
        "12xlarge",
        "16xlarge",
        "24xlarge",
        "48xlarge",
    ),
    # NVIDIA V100 (what the retired open-gpu-server had).
    "p3": ("2xlarge", "8xlarge", "16xlarge"),
    "p3dn": ("24xlarge",),
    # NVIDIA A100 / H100 / H200: expensive; allowed only if the stack lists them explicitly.
    "p4d": ("24xlarge",),
    "p4de": ("24xlarge",),
    "p5": ("4xlarge", "48xlarge"),
    "p5e": ("48xlarge",),
    "p5en": ("48xlarge",),
}
"""GPU instance family → the sizes AWS sells in it."""

KNOWN_GPU_INSTANCE_TYPES: frozenset[str] = frozenset(
    f"{family}.{size}" for family, sizes in GPU_INSTANCE_SIZES.items() for size in sizes
)


def check_gpu_instance_type(value: str) -> str:
    """The value if it is a known GPU instance type, else a ``ValueError`` saying what is known.

    Messages do not echo the value (config errors never repeat input; see ``infra.config.base``).
    """
    if value in KNOWN_GPU_INSTANCE_TYPES:
        return value
    family = value.split(".", 1)[0]
    if family in GPU_INSTANCE_SIZES:
        sizes = ", ".join(GPU_INSTANCE_SIZES[family])
        raise ValueError(f"not a size AWS sells in GPU family `{family}` (sizes: {sizes})")
    families = ", ".join(sorted(GPU_INSTANCE_SIZES))
    raise ValueError(f"not a known AWS GPU instance type (families: {families})")
