//! The extensions STIX 2.1 predefines for cyber-observables (section 6: archive, NTFS, PDF,
//! raster image, Windows PE binary, HTTP request, ICMP, socket, TCP, Windows process and
//! service, UNIX account): their required properties, enumerations and value kinds.

use serde_json::{Map, Value};

use super::checker::Checker;
use super::properties::{check_value, each_of_list, type_error};
use crate::stix::schema::Kind;

const ADDRESS_FAMILY: &[&str] =
    &["AF_UNSPEC", "AF_INET", "AF_IPX", "AF_APPLETALK", "AF_NETBIOS", "AF_INET6", "AF_IRDA", "AF_BTH"];
const SOCKET_TYPE: &[&str] = &["SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_RDM", "SOCK_SEQPACKET"];
const INTEGRITY_LEVEL: &[&str] = &["low", "medium", "high", "system"];
const SERVICE_START_TYPE: &[&str] =
    &["SERVICE_AUTO_START", "SERVICE_BOOT_START", "SERVICE_DEMAND_START", "SERVICE_DISABLED", "SERVICE_SYSTEM_ALERT"];
const SERVICE_TYPE: &[&str] = &[
    "SERVICE_KERNEL_DRIVER",
    "SERVICE_FILE_SYSTEM_DRIVER",
    "SERVICE_WIN32_OWN_PROCESS",
    "SERVICE_WIN32_SHARE_PROCESS",
];
const SERVICE_STATUS: &[&str] = &[
    "SERVICE_CONTINUE_PENDING",
    "SERVICE_PAUSE_PENDING",
    "SERVICE_PAUSED",
    "SERVICE_RUNNING",
    "SERVICE_START_PENDING",
    "SERVICE_STOP_PENDING",
    "SERVICE_STOPPED",
];

/// (property, kind, required) for each predefined extension.
fn properties_of(extension: &str) -> Option<&'static [(&'static str, Kind, bool)]> {
    const HEX: Kind = Kind::Hex;
    const INT: Kind = Kind::Integer { min: None, max: None };
    Some(match extension {
        "archive-ext" => {
            &[("contains_refs", Kind::Refs(&["file", "directory"]), true), ("comment", Kind::String, false)]
        }
        "ntfs-ext" => &[("sid", Kind::String, false), ("alternate_data_streams", Kind::ObjectList, false)],
        "pdf-ext" => &[
            ("version", Kind::String, false),
            ("is_optimized", Kind::Boolean, false),
            ("document_info_dict", Kind::Dictionary, false),
            ("pdfid0", Kind::String, false),
            ("pdfid1", Kind::String, false),
        ],
        "raster-image-ext" => &[
            ("image_height", INT, false),
            ("image_width", INT, false),
            ("bits_per_pixel", INT, false),
            ("exif_tags", Kind::Dictionary, false),
        ],
        "windows-pebinary-ext" => &[
            ("pe_type", Kind::OpenVocab(&["dll", "exe", "sys"]), true),
            ("imphash", Kind::String, false),
            ("machine_hex", HEX, false),
            ("number_of_sections", INT, false),
            ("time_date_stamp", Kind::Timestamp, false),
            ("pointer_to_symbol_table_hex", HEX, false),
            ("number_of_symbols", INT, false),
            ("size_of_optional_header", INT, false),
            ("characteristics_hex", HEX, false),
            ("file_header_hashes", Kind::Hashes, false),
            ("optional_header", Kind::Object, false),
            ("sections", Kind::ObjectList, false),
        ],
        "http-request-ext" => &[
            ("request_method", Kind::String, true),
            ("request_value", Kind::String, true),
            ("request_version", Kind::String, false),
            ("request_header", Kind::Dictionary, false),
            ("message_body_length", INT, false),
            ("message_body_data_ref", Kind::Ref(&["artifact"]), false),
        ],
        "icmp-ext" => &[("icmp_type_hex", HEX, true), ("icmp_code_hex", HEX, true)],
        "socket-ext" => &[
            ("address_family", Kind::Enum(ADDRESS_FAMILY), true),
            ("is_blocking", Kind::Boolean, false),
            ("is_listening", Kind::Boolean, false),
            ("options", Kind::Dictionary, false),
            ("socket_type", Kind::Enum(SOCKET_TYPE), false),
            ("socket_descriptor", INT, false),
            ("socket_handle", INT, false),
        ],
        "tcp-ext" => &[("src_flags_hex", HEX, false), ("dst_flags_hex", HEX, false)],
        "windows-process-ext" => &[
            ("aslr_enabled", Kind::Boolean, false),
            ("dep_enabled", Kind::Boolean, false),
            ("priority", Kind::String, false),
            ("owner_sid", Kind::String, false),
            ("window_title", Kind::String, false),
            ("startup_info", Kind::Dictionary, false),
            ("integrity_level", Kind::Enum(INTEGRITY_LEVEL), false),
        ],
        "windows-service-ext" => &[
            ("service_name", Kind::String, false),
            ("descriptions", Kind::StringList, false),
            ("display_name", Kind::String, false),
            ("group_name", Kind::String, false),
            ("start_type", Kind::Enum(SERVICE_START_TYPE), false),
            ("service_dll_refs", Kind::Refs(&["file"]), false),
            ("service_type", Kind::Enum(SERVICE_TYPE), false),
            ("service_status", Kind::Enum(SERVICE_STATUS), false),
        ],
        "unix-account-ext" => &[
            ("gid", INT, false),
            ("groups", Kind::StringList, false),
            ("home_dir", Kind::String, false),
            ("shell", Kind::String, false),
        ],
        _ => return None,
    })
}

/// Checks the body of a predefined extension; returns false for a name that is not one.
pub(crate) fn check_predefined(c: &mut Checker, pointer: &str, name: &str, body: &Map<String, Value>) -> bool {
    let Some(properties) = properties_of(name) else { return false };
    if body.is_empty() {
        c.error("empty-dictionary", pointer, format!("extension `{name}` is empty; it needs at least one property"));
    }
    for (property, _, required) in properties.iter() {
        if *required && !body.contains_key(*property) {
            c.error("missing-property", pointer, format!("extension `{name}` needs `{property}`"));
        }
    }
    for (key, value) in body {
        let p = format!("{pointer}/{key}");
        if let Some((_, kind, _)) = properties.iter().find(|(property, _, _)| property == key) {
            check_value(c, &p, key, *kind, value);
        }
    }
    if name == "ntfs-ext" {
        if let Some(streams) = body.get("alternate_data_streams") {
            each_of_list(
                c,
                &format!("{pointer}/alternate_data_streams"),
                "alternate_data_streams",
                streams,
                |c, p, s| match s.as_object() {
                    Some(stream) if !stream.contains_key("name") => {
                        c.error("missing-property", p, "an alternate data stream needs `name`")
                    }
                    Some(_) => {}
                    None => type_error(c, p, "alternate_data_streams", "a list of objects", s),
                },
            );
        }
    }
    true
}
