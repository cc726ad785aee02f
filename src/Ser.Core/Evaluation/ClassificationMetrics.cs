namespace Ser.Core.Evaluation;

/// <summary>Accuracy figures of one set of predictions.</summary>
/// <param name="Wa">Weighted accuracy: the share of clips classified correctly.</param>
/// <param name="Ua">Unweighted accuracy: the mean recall over the classes present in the truth.</param>
/// <param name="MacroF1">Mean F1 over the classes present in the truth or the predictions.</param>
/// <param name="Confusion">Counts, rows = truth, columns = prediction, in label order.</param>
public sealed record ClassificationMetrics(double Wa, double Ua, double MacroF1, IReadOnlyList<ClassMetrics> PerClass, int[][] Confusion, int Count)
{
    public static ClassificationMetrics Compute(IReadOnlyList<int> truth, IReadOnlyList<int> predicted, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(labels);
        if (truth.Count != predicted.Count) throw new ArgumentException("Truth and predictions differ in length.");
        var k = labels.Count;
        var confusion = Enumerable.Range(0, k).Select(_ => new int[k]).ToArray();
        for (var i = 0; i < truth.Count; i++) confusion[truth[i]][predicted[i]]++;
        var perClass = new ClassMetrics[k];
        var recalls = new List<double>();
        var f1s = new List<double>();
        for (var c = 0; c < k; c++)
        {
            var tp = confusion[c][c];
            var support = confusion[c].Sum();
            var predictedAs = confusion.Sum(row => row[c]);
            var precision = predictedAs == 0 ? 0 : (double)tp / predictedAs;
            var recall = support == 0 ? 0 : (double)tp / support;
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            perClass[c] = new ClassMetrics(labels[c], precision, recall, f1, support);
            if (support > 0) recalls.Add(recall);
            if (support > 0 || predictedAs > 0) f1s.Add(f1);
        }
        var correct = Enumerable.Range(0, k).Sum(c => confusion[c][c]);
        return new ClassificationMetrics(truth.Count == 0 ? 0 : (double)correct / truth.Count,
            recalls.Count == 0 ? 0 : recalls.Average(), f1s.Count == 0 ? 0 : f1s.Average(), perClass, confusion, truth.Count);
    }
}
