namespace Lmev.Training;

/// <summary>
/// One epoch: mean training loss over its samples (dropout on, as Keras reports it), validation
/// loss and balanced accuracy (NaN without a validation set), and its wall time (training and
/// validation).
/// </summary>
public sealed record EpochRecord(int Epoch, double Loss, double ValLoss, double ValBalancedAccuracy, double Seconds);
