using Engine.Core.Data;
using NUnit.Framework;

namespace Engine.Tests;

[Category("unit")]
public sealed class DatasetTests
{
    [Test]
    public void PaperFigure3DataIsThePapers()
    {
        Dataset d = DatasetCatalog.Load("paper-fig3");
        Assert.That(d.Count, Is.EqualTo(3));
        Assert.That(d.Inputs, Is.EqualTo(2));
        Assert.That(d.X.ToArray(), Is.EqualTo(new double[] { -1, 1, 2, 1, 1, 3 }));
        Assert.That(d.Y.ToArray(), Is.EqualTo(new double[] { 1, 2, 3 }));
    }

    [Test]
    public void RandomDataIsDeterministicAndSeeded()
    {
        Dataset a = DatasetCatalog.Load("random:12,2,7");
        Dataset b = DatasetCatalog.Load("random:12,2,7");
        Dataset c = DatasetCatalog.Load("random:12,2,8");
        Assert.That(a.X.ToArray(), Is.EqualTo(b.X.ToArray()));
        Assert.That(a.X.ToArray(), Is.Not.EqualTo(c.X.ToArray()));
        Assert.That(a.Count, Is.EqualTo(12));
    }

    [TestCase("nope")]
    [TestCase("random:3,2")]
    [TestCase("random:0,2,1")]
    [TestCase("random:a,2,1")]
    public void UnknownOrMalformedNamesAreInputErrors(string name) =>
        Assert.Throws<EngineInputException>(() => DatasetCatalog.Load(name));

    [TestCase("x1,x2,y\n1,2,3\n4,5\n", "2 columns")]
    [TestCase("x1,x2,y\n1,NaN,3\n", "not finite")]
    [TestCase("x1,x2,y\n1,inf,3\n", "not a number")]
    [TestCase("x1,z,y\n1,2,3\n", "expected 'x2'")]
    [TestCase("x1,x2,y\n1,abc,3\n", "not a number")]
    [TestCase("x1,x2,y\n", "no data rows")]
    [TestCase("", "empty file")]
    public void MalformedCsvIsAnInputErrorNamingTheProblem(string text, string expected)
    {
        string path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"bad-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, text);
        try
        {
            var e = Assert.Throws<EngineInputException>(() => DatasetCatalog.Load(path));
            Assert.That(e!.Message, Does.Contain(expected));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void CsvRoundTripsValues()
    {
        string path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"ok-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "x1,x2,y\n-1,1,1\n2,1,2\n1,3,3\n");
        try
        {
            Dataset d = DatasetCatalog.Load(path);
            Assert.That(d.X.ToArray(), Is.EqualTo(DatasetCatalog.Load("paper-fig3").X.ToArray()));
            Assert.That(d.Y.ToArray(), Is.EqualTo(new double[] { 1, 2, 3 }));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
