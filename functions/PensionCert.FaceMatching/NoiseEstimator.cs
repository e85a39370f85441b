namespace PensionCert.FaceMatching;

/// <summary>
/// Image noise level of the face as the liveness model sees it. Immerkær's noise mask (J. Immerkær, "Fast Noise
/// Variance Estimation", Computer Vision and Image Understanding 64(2), 1996): the 3x3 difference of two Laplacians
/// [1 −2 1; −2 4 −2; 1 −2 1] cancels smooth shading and edges to second order, and on pure Gaussian noise of standard
/// deviation σ its response has standard deviation 6σ. Instead of Immerkær's mean absolute response the median is taken
/// (σ ≈ 1.4826 · median|response| / 6, the MAD estimate), so the eyes, brows and hairline, a minority of the pixels, do
/// not count as noise. Measured on the grey of the face box inside the liveness crop (fr_liveness's 128x128 input):
/// the scale at which added noise changes the liveness model's answer (README, "Passive liveness").
/// </summary>
internal static class NoiseEstimator
{
    /// <summary>
    /// Noise standard deviation, in grey levels 0..255, of the <paramref name="region"/> of the planar BGR tensor
    /// <paramref name="bgr"/> (<paramref name="size"/>x<paramref name="size"/> per plane, raw 0..255 as fr_liveness takes it).
    /// </summary>
    public static double Estimate(ReadOnlySpan<float> bgr, int size, (int Left, int Top, int Right, int Bottom) region)
    {
        var plane = size * size;
        var grey = new float[plane];
        for (var i = 0; i < plane; i++) grey[i] = 0.114f * bgr[i] + 0.587f * bgr[plane + i] + 0.299f * bgr[2 * plane + i];
        int left = Math.Clamp(region.Left, 1, size - 2), right = Math.Clamp(region.Right, left + 1, size - 1);
        int top = Math.Clamp(region.Top, 1, size - 2), bottom = Math.Clamp(region.Bottom, top + 1, size - 1);
        var responses = new float[(right - left) * (bottom - top)];
        var n = 0;
        for (var y = top; y < bottom; y++)
        {
            for (var x = left; x < right; x++)
            {
                int above = (y - 1) * size + x, at = y * size + x, below = (y + 1) * size + x;
                var response = grey[above - 1] - 2 * grey[above] + grey[above + 1]
                    - 2 * grey[at - 1] + 4 * grey[at] - 2 * grey[at + 1]
                    + grey[below - 1] - 2 * grey[below] + grey[below + 1];
                responses[n++] = Math.Abs(response);
            }
        }

        if (n == 0) return 0;
        var median = Median(responses.AsSpan(0, n));
        return 1.4826 * median / 6;
    }

    private static float Median(Span<float> values)
    {
        values.Sort();
        return values.Length % 2 == 1 ? values[values.Length / 2] : (values[values.Length / 2 - 1] + values[values.Length / 2]) / 2;
    }
}
