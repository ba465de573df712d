"""Bounds on what one call may ask for: beyond them a request is a typo or an attack, not a job.

Big but possible jobs stay possible: they run in chunks of CHUNK images with bounded memory.
"""

# onnxruntime starts this many threads per session, and this model is small: beyond the cores a
# machine has, threads only contend (2000 ran 100x slower than 2), and a million exhausted 24 GB.
# 256 is more cores than any machine this runtime targets has.
MAX_THREADS = 256

# Images (or latents) in one command: 100 million are 313 GB as .npy.
MAX_IMAGES = 100_000_000

# Latents per onnxruntime run when generating many: 51 MB of float32 images held at a time.
CHUNK = 16_384

# One grid picture is held in memory whole: 100 megapixels are 100 MB (about 110,000 digits).
MAX_PICTURE_PIXELS = 100_000_000

# `edgevae bench`: a batch of 65,536 images is 205 MB in and out; a minute per measurement at most.
MAX_BENCH_BATCH = 65_536
MAX_BENCH_SECONDS = 60
