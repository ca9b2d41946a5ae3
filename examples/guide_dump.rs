//! Prints the guide's claims as checked (maintainer aid).
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cat = fitcheck::catalog::Catalog::builtin()?;
    for c in fitcheck::guide::check(&cat) {
        println!(
            "{:32} {:8} says {:5.1} GB computed {:6.1} GB tier {:3} {:?} ctx {:7} {}",
            c.model,
            c.quant,
            c.claimed_gb,
            c.computed_gb,
            c.tier_gb,
            c.verdict_on_tier,
            c.max_context_on_tier,
            c.note
        );
    }
    for t in fitcheck::guide::tiers(&cat) {
        println!(
            "{} GB {:10} {:?} holds={}",
            t.tier_gb, t.claimed, t.models, t.holds
        );
    }
    Ok(())
}
