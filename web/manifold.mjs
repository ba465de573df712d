/**
 * The manifold's latent grid, as runtime/latents.py's manifold_grid computes it: n*n points spaced
 * by the quantiles of the prior's marginals from 1-span to span, so the grid spans where the prior puts
 * its mass. `prior` is a generator's { weights, means, logVars }; without one, N(0, I), where each cell
 * is equally likely. n*n latents [x, y], row by row from the top: y falls down the rows and x rises along them, as in a plot.
 */
export function manifoldGrid(n, span = 0.95, prior = null) {
  if (!(Number.isInteger(n) && n >= 2 && span > 0.5 && span < 1)) {
    throw new RangeError(`the manifold needs n >= 2 and 0.5 < span < 1, got n=${n}, span=${span}`);
  }
  const start = 1 - span;
  const step = (span - start) / (n - 1);
  const probabilities = Array.from({ length: n }, (_, index) => (index === n - 1 ? span : index * step + start));
  const standard = !prior || (prior.weights.length === 1 && [...prior.means[0], ...prior.logVars[0]].every((value) => value === 0));
  const quantile = (p, axis) => (standard ? normalQuantile(p) : mixtureQuantile(prior, axis, p));
  const xs = Float32Array.from(probabilities, (p) => quantile(p, 0));
  const ys = Float32Array.from(probabilities, (p) => quantile(p, 1));
  return Array.from({ length: n * n }, (_, index) => [xs[index % n], ys[n - 1 - Math.floor(index / n)]]);
}

/** The p-quantile of a mixture's marginal along one axis, by bisection on its CDF (runtime/prior.py). */
export function mixtureQuantile(prior, axis, p) {
  const scales = prior.logVars.map((logVar) => Math.exp(0.5 * logVar[axis]));
  let low = Math.min(...prior.means.map((mean, k) => mean[axis] - 10 * scales[k]));
  let high = Math.max(...prior.means.map((mean, k) => mean[axis] + 10 * scales[k]));
  for (let step = 0; step < 60; step++) {
    const middle = (low + high) / 2;
    let cdf = 0;
    prior.weights.forEach((weight, k) => {
      cdf += weight * 0.5 * (1 + erf((middle - prior.means[k][axis]) / (scales[k] * Math.SQRT2)));
    });
    if (cdf < p) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

/** The error function, from erfc's Chebyshev fit in Numerical Recipes (relative error below 1.2e-7). */
export function erf(x) {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
    + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
    + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - erfc : erfc - 1;
}

/** The standard normal's inverse CDF: Wichura's algorithm AS241, as Python's statistics.NormalDist uses. */
export function normalQuantile(p) {
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r
      + 45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r
      + 133.14166789178437745) * r + 3.387132872796366608))
      / (((((((5226.495278852545925 * r + 28729.085735721942674) * r + 39307.89580009271061) * r
      + 21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r
      + 42.313330701600911252) * r + 1.0);
  }
  let r = Math.sqrt(-Math.log(q <= 0 ? p : 1 - p));
  let x;
  if (r <= 5.0) {
    r -= 1.6;
    x = (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r
      + 1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r
      + 4.6303378461565452959) * r + 1.42343711074968357734)
      / (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r
      + 0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r
      + 2.05319162663775882187) * r + 1.0);
  } else {
    r -= 5.0;
    x = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r
      + 0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r
      + 5.4637849111641143699) * r + 6.6579046435011037772)
      / (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r
      + 7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r
      + 0.59983220655588793769) * r + 1.0);
  }
  return q < 0 ? -x : x;
}
