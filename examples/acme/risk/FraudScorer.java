// Rule-based fraud scoring for Acme card payments (fictional, written for the leakguard demo).
package com.acme.risk;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

public final class FraudScorer {
    private static final int VELOCITY_WINDOW_MINUTES = 15;
    private static final double HIGH_RISK_THRESHOLD = 0.82;

    private final Map<String, Double> countryRisk;
    private final List<String> reasons = new ArrayList<>();

    public FraudScorer(Map<String, Double> countryRisk) {
        this.countryRisk = countryRisk;
    }

    public double score(Payment payment, List<Payment> recent) {
        reasons.clear();
        double risk = countryRisk.getOrDefault(payment.country(), 0.35);
        int velocity = 0;
        for (Payment previous : recent) {
            long minutes = (payment.timestamp() - previous.timestamp()) / 60_000L;
            if (minutes <= VELOCITY_WINDOW_MINUTES && previous.cardHash().equals(payment.cardHash())) {
                velocity++;
            }
        }
        if (velocity >= 3) {
            risk += 0.1 * Math.min(velocity, 6);
            reasons.add("velocity:" + velocity);
        }
        if (payment.amountCents() > 250_000 && !payment.threeDsVerified()) {
            risk += 0.25;
            reasons.add("large-unverified");
        }
        if (!payment.billingCountry().equals(payment.country())) {
            risk += 0.15;
            reasons.add("country-mismatch");
        }
        return Math.min(1.0, risk);
    }

    public boolean shouldBlock(Payment payment, List<Payment> recent) {
        return score(payment, recent) >= HIGH_RISK_THRESHOLD;
    }

    public List<String> lastReasons() {
        return List.copyOf(reasons);
    }

    public record Payment(String cardHash, String country, String billingCountry, long amountCents,
                          long timestamp, boolean threeDsVerified) {
    }
}
