//! The marking definitions every STIX producer shares by id: TLP 1.0 (STIX 2.1 specification,
//! section 7.2.1.4) and TLP 2.0 (the OASIS TLP 2.0 extension definition).

/// A Traffic Light Protocol level, TLP 1.0 and 2.0 names together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tlp {
    Clear,
    White,
    Green,
    Amber,
    AmberStrict,
    Red,
}

impl Tlp {
    pub fn label(self) -> &'static str {
        match self {
            Tlp::Clear => "TLP:CLEAR",
            Tlp::White => "TLP:WHITE",
            Tlp::Green => "TLP:GREEN",
            Tlp::Amber => "TLP:AMBER",
            Tlp::AmberStrict => "TLP:AMBER+STRICT",
            Tlp::Red => "TLP:RED",
        }
    }

    /// A level by the name a configuration gives it ("amber+strict"), case ignored.
    pub fn from_name(name: &str) -> Option<Tlp> {
        let levels = [Tlp::Clear, Tlp::White, Tlp::Green, Tlp::Amber, Tlp::AmberStrict, Tlp::Red];
        levels.into_iter().find(|level| level.label()[4..].eq_ignore_ascii_case(name))
    }
}

/// (id, level, TLP version, the `tlp` value a TLP 1.0 definition must carry).
pub const TLP_MARKINGS: &[(&str, Tlp, u8, &str)] = &[
    ("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", Tlp::White, 1, "white"),
    ("marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", Tlp::Green, 1, "green"),
    ("marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", Tlp::Amber, 1, "amber"),
    ("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", Tlp::Red, 1, "red"),
    ("marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", Tlp::Clear, 2, "clear"),
    ("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", Tlp::Green, 2, "green"),
    ("marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", Tlp::Amber, 2, "amber"),
    ("marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", Tlp::AmberStrict, 2, "amber+strict"),
    ("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", Tlp::Red, 2, "red"),
];

/// The extension definition that TLP 2.0 marking definitions use.
pub const TLP2_EXTENSION: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

/// The TLP level of a well-known marking definition id.
pub fn tlp_of(id: &str) -> Option<Tlp> {
    // Asked for every marking of every object, per audience: the UUID's first character rules
    // out all but one or two of the ids before their text is compared.
    const UUID_AT: usize = "marking-definition--".len();
    let first = *id.as_bytes().get(UUID_AT)?;
    TLP_MARKINGS.iter().find(|m| m.0.as_bytes()[UUID_AT] == first && m.0 == id).map(|m| m.1)
}

/// The `definition.tlp` value a TLP 1.0 marking with this id must carry, if it is one.
pub fn tlp1_value(id: &str) -> Option<&'static str> {
    TLP_MARKINGS.iter().find(|m| m.0 == id && m.2 == 1).map(|m| m.3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tlp_id_and_nothing_else_has_a_level() {
        for (id, level, _, _) in TLP_MARKINGS {
            assert_eq!(tlp_of(id), Some(*level), "{id}");
            // The same UUID under another type, another case, or cut short is no TLP marking.
            assert_eq!(tlp_of(&id.replace("marking-definition", "x-marking-definitio")), None);
            assert_eq!(tlp_of(&id.to_uppercase()), None);
            assert_eq!(tlp_of(&id[..id.len() - 1]), None);
        }
        assert_eq!(tlp_of(""), None);
        assert_eq!(tlp_of("marking-definition--"), None);
        assert_eq!(tlp_of("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc8"), None);
    }
}
