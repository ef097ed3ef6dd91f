import csv
import statistics
from pathlib import Path


def load_temperatures(path: Path) -> dict[str, list[float]]:
    readings: dict[str, list[float]] = {}
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            readings.setdefault(row["station"], []).append(float(row["celsius"]))
    return readings


def summarise(readings: dict[str, list[float]]) -> list[tuple[str, float, float]]:
    summary = []
    for station, values in sorted(readings.items()):
        if len(values) < 2:
            continue
        summary.append((station, statistics.mean(values), statistics.stdev(values)))
    return summary


if __name__ == "__main__":
    for station, mean, spread in summarise(load_temperatures(Path("weather.csv"))):
        print(f"{station:>10} {mean:6.2f} ±{spread:.2f}")
