namespace Ser.Api.Classification.Contracts;

/// <param name="JensenShannon">Divergence between the two distributions, in bits (0 = identical, 1 = disjoint).</param>
public sealed record Agreement(bool Agree, double JensenShannon);
