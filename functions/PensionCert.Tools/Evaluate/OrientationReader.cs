using Microsoft.ML.OnnxRuntime;
using PensionCert.FaceMatching;
using SkiaSharp;

namespace PensionCert.Tools;

/// <summary>
/// The orientation evidence of one view of a photo, for the reference-orientation study: the main face's detector score,
/// the eye line's roll from the 68 landmarks, the head pose of fr_pose (yaw, pitch, roll) and the landmark yaw/pitch.
/// Same decode, turn, detector and main-face rule as <see cref="FaceAnalyzer"/>.
/// </summary>
internal static class OrientationReader
{
    internal sealed record Reading(int Faces, double DetectorScore, double EyeRoll, HeadPose Pose, double LandmarkYaw, double LandmarkPitch, double FaceWidth,
        double Logit = 0, double Aspect = 0, int Support = 0, double SupportLogitSum = 0, double MaxRawScore = 0);

    private static double Logit(double p) => Math.Log(Math.Max(p, 1e-9) / Math.Max(1 - p, 1e-9));

    /// <summary>Raw detector candidates (before NMS, score ≥ 0.3) overlapping the main box by IoU &gt; 0.4: count, sum of logits, best raw score.</summary>
    private static (int, double, double) Support(FaceModels models, DecodedImage image, SKRect mainBox)
    {
        var tensor = new float[FaceDetector.InputLength];
        var canvas = FaceDetector.Prepare(image, tensor);
        return OnnxRunner.Run(models.Detector, tensor, FaceDetector.InputShape, FaceDetector.OutputNames, outputs =>
        {
            var scores = outputs[0].GetTensorDataAsSpan<float>();
            var boxes = outputs[1].GetTensorDataAsSpan<float>();
            int n = 0; double sum = 0, max = 0;
            for (var i = 0; i < scores.Length / 2; i++)
            {
                var score = scores[2 * i + 1];
                if (score < 0.3f) continue;
                var box = new SKRect(boxes[4 * i] * canvas.Width, boxes[4 * i + 1] * canvas.Height, boxes[4 * i + 2] * canvas.Width, boxes[4 * i + 3] * canvas.Height);
                var inter = SKRect.Intersect(box, mainBox);
                if (inter.IsEmpty) continue;
                var iou = inter.Width * inter.Height / (box.Width * box.Height + mainBox.Width * mainBox.Height - inter.Width * inter.Height);
                if (iou <= 0.4f) continue;
                n++;
                sum += Logit(score);
                max = Math.Max(max, score);
            }
            return (n, sum, max);
        });
    }

    public static Reading? Read(FaceModels models, InferenceSession pose, FaceQualityOptions quality, ReadOnlySpan<byte> photo, int clockwiseDegrees)
    {
        using var decoded = ImageDecoder.Decode(photo, quality, quality.DecodeLongSidePixels, out _);
        if (decoded is null) return null;
        using var image = clockwiseDegrees == 0 ? null : new DecodedImage(ImageDecoder.Orient(decoded.Bitmap, clockwiseDegrees switch
        {
            90 => SKEncodedOrigin.RightTop,
            180 => SKEncodedOrigin.BottomRight,
            _ => SKEncodedOrigin.LeftBottom,
        }), decoded.ScaleToOriginal);
        var view = image ?? decoded;
        var faces = FaceDetector.Detect(models.Detector, view, (float)quality.DetectorScoreThreshold);
        if (faces.Count == 0) return new Reading(0, 0, double.NaN, default, double.NaN, double.NaN, 0);
        var main = MainFaceSelector.Select(faces, view.Width, view.Height, quality.ProminentFaceAreaRatio, quality.SecondFaceEdgeMarginRatio).Main;
        var landmarks = LandmarkDetector.Detect(models.Landmark, view, main.Box);
        var five = LandmarkDetector.FivePoints(landmarks);
        var roll = Math.Atan2(five[1].Y - five[0].Y, five[1].X - five[0].X) * 180 / Math.PI;
        var (yaw, pitch) = FaceQualityMeter.EstimatePose(landmarks, five);
        var (support, logitSum, maxRaw) = Support(models, view, main.Box);
        return new Reading(faces.Count, main.Score, roll, HeadPoseEstimator.Estimate(pose, view, main.Box), yaw, pitch, main.Box.Width * view.ScaleToOriginal,
            Logit(main.Score), main.Box.Height / main.Box.Width, support, logitSum, maxRaw);
    }
}
