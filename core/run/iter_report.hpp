#pragma once
// An iterator run's output for people and for tools (run_report.cpp and bpfvm run use these).
//
// JSON: {"target", "session_id", "reads", "read_error" ("-EAGAIN"; absent at end of file),
//        "output" (the bytes as text), "output_hex", "calls": [{"read", "seq_num", "element",
//        "return"}]}.
// Text: the calls, how the reads ended, then the output: as it reads when it is text, else
// as hex, 16 bytes a line (what bpf_seq_write'd structs look like).
#include <string>

namespace bpfplay {

class JsonWriter;
struct IterOutput;

void iter_output_json(JsonWriter& w, const IterOutput& out);
std::string iter_output_text(const IterOutput& out);

}  // namespace bpfplay
