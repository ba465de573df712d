/* edgevae-generate: digits from an exported edgevae generator, in C over onnxruntime's C API.
 *
 *   edgevae-generate [--raw OUT.f32] MODEL.onnx OUT.pgm LATENT [LATENT ...]
 *
 * Each LATENT is the latent point as comma-separated numbers ("0.5,-1" for the bundled 2-D model).
 * OUT.pgm gets the images as one grid, laid out as `edgevae generate` lays out its PNG (ceil(sqrt(n))
 * columns, 2 pixels of padding). --raw also writes the images as float32 [n, height, width] in the
 * machine's byte order, the values the Python runtime returns. Outputs are written to temporary
 * files and renamed into place, so a failure never leaves half a file behind.
 *
 * Exit status: 0 done, 1 a model, onnxruntime or file error, 2 bad arguments; one line on stderr.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <onnxruntime_c_api.h>

#define PROGRAM "edgevae-generate"
#define PADDING 2
#define MAX_LATENTS 4096 /* the Python API's MAX_BATCH */

static const char USAGE[] = "usage: " PROGRAM " [--raw OUT.f32] MODEL.onnx OUT.pgm LATENT [LATENT ...]"
                            " (a LATENT is comma-separated numbers, e.g. 0.5,-1)";

/* Everything that must be released, in one place, so that every exit path frees it all. */
struct state {
    const OrtApi *ort;
    OrtEnv *env;
    OrtSessionOptions *options;
    OrtSession *session;
    OrtMemoryInfo *memory;
    OrtValue *input;
    OrtValue *output;
    OrtAllocator *allocator; /* the default allocator: never released */
    char *input_name;
    char *output_name;
    float *latents;
    unsigned char *grid;
    char *temporary[2]; /* the outputs being written (PGM, raw), removed on failure */
};

static struct state S;

/* Debian's onnxruntime 1.21 (trixie, Raspberry Pi OS) registers the ONNX schemas twice: the first
 * session that parses a model prints ~570 "Schema error: Trying to register schema ..." lines, each
 * followed by a blank line, straight to file descriptor 2. As edgevae's Python runtime does
 * (runtime/ort_quiet.py), load the model with fd 2 in a temporary file, then pass on all but those. */
static FILE *held_stderr;
static int real_stderr = -1;

static void hold_stderr(void)
{
    fflush(stderr);
    held_stderr = tmpfile();
    if (held_stderr == NULL) return; /* no temporary folder: let the noise through */
    real_stderr = dup(2);
    if (real_stderr < 0 || dup2(fileno(held_stderr), 2) < 0) {
        if (real_stderr >= 0) close(real_stderr);
        fclose(held_stderr);
        held_stderr = NULL;
    }
}

static void release_stderr(void)
{
    static const char noise[] = "Schema error: Trying to register schema with name ";
    if (held_stderr == NULL) return;
    fflush(stderr);
    dup2(real_stderr, 2);
    close(real_stderr);
    rewind(held_stderr);
    char line[1024];
    int line_start = 1, drop = 0, after_noise = 0, noisy = 0;
    while (fgets(line, sizeof line, held_stderr)) { /* a long line may come in several pieces */
        if (line_start) {
            noisy = strncmp(line, noise, sizeof noise - 1) == 0;
            drop = noisy || (after_noise && strcmp(line, "\n") == 0);
        }
        if (!drop) fputs(line, stderr);
        line_start = strchr(line, '\n') != NULL;
        if (line_start) after_noise = noisy;
    }
    fclose(held_stderr);
    held_stderr = NULL;
}

/* Statuses of calls made while cleaning up: nothing more to do about a failure then. */
static void ignore(OrtStatus *status)
{
    if (status != NULL) S.ort->ReleaseStatus(status);
}

static void release_all(void)
{
    for (int slot = 0; slot < 2; slot++) {
        if (S.temporary[slot] == NULL) continue;
        unlink(S.temporary[slot]);
        free(S.temporary[slot]);
    }
    if (S.ort) {
        if (S.input_name) ignore(S.ort->AllocatorFree(S.allocator, S.input_name));
        if (S.output_name) ignore(S.ort->AllocatorFree(S.allocator, S.output_name));
        if (S.output) S.ort->ReleaseValue(S.output);
        if (S.input) S.ort->ReleaseValue(S.input);
        if (S.memory) S.ort->ReleaseMemoryInfo(S.memory);
        if (S.session) S.ort->ReleaseSession(S.session);
        if (S.options) S.ort->ReleaseSessionOptions(S.options);
        if (S.env) S.ort->ReleaseEnv(S.env);
    }
    free(S.latents);
    free(S.grid);
    memset(&S, 0, sizeof S);
}

/* One line on stderr, everything released, and the exit status. */
static void fail(int status, const char *format, ...)
{
    release_stderr();
    va_list args;
    va_start(args, format);
    fputs(PROGRAM ": ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    release_all();
    exit(status);
}

/* An onnxruntime call that must succeed: its message (first line) on failure. */
static void check(OrtStatus *status, const char *what)
{
    if (status == NULL) return;
    char message[512];
    snprintf(message, sizeof message, "%s", S.ort->GetErrorMessage(status));
    message[strcspn(message, "\r\n")] = '\0';
    S.ort->ReleaseStatus(status);
    fail(1, "onnxruntime cannot %s: %s", what, message);
}

/* "0.5,-1" into `count` floats; every value a finite number. */
static void parse_latent(const char *text, int index, float *values, size_t count)
{
    size_t found = 1;
    for (const char *c = text; *c; c++) found += *c == ',';
    if (found != count)
        fail(2, "latent %d (%s) has %zu value%s; this model's latents have %zu", index + 1, text, found,
             found == 1 ? "" : "s", count);
    const char *cursor = text;
    for (size_t i = 0; i < count; i++) {
        char *end;
        errno = 0;
        values[i] = strtof(cursor, &end);
        if (end == cursor || *end != (i + 1 < count ? ',' : '\0'))
            fail(2, "latent %d (%s) is not comma-separated numbers", index + 1, text);
        if (!isfinite(values[i]) || errno == ERANGE)
            fail(2, "latent %d (%s) holds a number that is not finite in float32", index + 1, text);
        cursor = end + 1;
    }
}

/* The one dimension after the batch of a [n, size] float tensor. */
static int64_t feature_size(OrtTypeInfo *info, const char *role)
{
    const OrtTensorTypeAndShapeInfo *tensor;
    ONNXTensorElementDataType type;
    size_t rank;
    int64_t dims[2];
    check(S.ort->CastTypeInfoToTensorInfo(info, &tensor), "read the model's types");
    int tensor_ok = tensor != NULL;
    if (tensor_ok) {
        check(S.ort->GetTensorElementType(tensor, &type), "read the model's types");
        check(S.ort->GetDimensionsCount(tensor, &rank), "read the model's shapes");
        tensor_ok = type == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT && rank == 2;
    }
    if (tensor_ok) check(S.ort->GetDimensions(tensor, dims, 2), "read the model's shapes");
    S.ort->ReleaseTypeInfo(info);
    if (!tensor_ok || dims[1] < 1)
        fail(1, "the model's %s is not a float32 [n, size] tensor: not an edgevae generator", role);
    return dims[1];
}

/* Write `size` bytes (after `header`) next to `path`, as S.temporary[slot]; publish() renames it. */
static void write_temporary(int slot, const char *path, const char *header, const void *data, size_t size)
{
    size_t length = strlen(path) + 32;
    S.temporary[slot] = malloc(length);
    if (S.temporary[slot] == NULL) fail(1, "out of memory");
    snprintf(S.temporary[slot], length, "%s.%ld.partial", path, (long)getpid());
    FILE *file = fopen(S.temporary[slot], "wb");
    if (file == NULL) {
        free(S.temporary[slot]);
        S.temporary[slot] = NULL;
        fail(1, "cannot write %s: %s", path, strerror(errno));
    }
    int ok = fputs(header, file) >= 0 && fwrite(data, 1, size, file) == size;
    if (!(fclose(file) == 0 && ok)) fail(1, "cannot write %s: %s", path, strerror(errno));
}

static void publish(int slot, const char *path)
{
    if (S.temporary[slot] == NULL) return;
    if (rename(S.temporary[slot], path) != 0) fail(1, "cannot write %s: %s", path, strerror(errno));
    free(S.temporary[slot]);
    S.temporary[slot] = NULL;
}

int main(int argc, char **argv)
{
    const char *raw_path = NULL;
    int first = 1;
    if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        puts(USAGE);
        return 0;
    }
    if (argc > 2 && strcmp(argv[1], "--raw") == 0) {
        raw_path = argv[2];
        first = 3;
    }
    if (argc - first < 3) fail(2, "%s", USAGE);
    const char *model_path = argv[first];
    const char *pgm_path = argv[first + 1];
    char **latent_texts = argv + first + 2;
    int count = argc - first - 2;
    if (count > MAX_LATENTS) fail(2, "%d latents; at most %d at once", count, MAX_LATENTS);

    /* A clear message for the usual mistake, before onnxruntime's longer one. */
    if (access(model_path, R_OK) != 0) fail(1, "cannot read %s: %s", model_path, strerror(errno));

    S.ort = OrtGetApiBase()->GetApi(ORT_API_VERSION);
    if (S.ort == NULL)
        fail(1, "the onnxruntime library is older than the headers this was built with (API %d)",
             ORT_API_VERSION);
    check(S.ort->CreateEnv(ORT_LOGGING_LEVEL_ERROR, PROGRAM, &S.env), "start");
    check(S.ort->CreateSessionOptions(&S.options), "make session options");
    check(S.ort->SetIntraOpNumThreads(S.options, 1), "set the thread count");
    hold_stderr();
    check(S.ort->CreateSession(S.env, model_path, S.options, &S.session), "load the model");
    release_stderr();
    check(S.ort->GetAllocatorWithDefaultOptions(&S.allocator), "get an allocator");

    size_t inputs, outputs;
    check(S.ort->SessionGetInputCount(S.session, &inputs), "read the model's inputs");
    check(S.ort->SessionGetOutputCount(S.session, &outputs), "read the model's outputs");
    if (inputs != 1 || outputs != 1)
        fail(1, "%s has %zu inputs and %zu outputs; an edgevae generator has one of each", model_path,
             inputs, outputs);
    check(S.ort->SessionGetInputName(S.session, 0, S.allocator, &S.input_name), "read the input's name");
    check(S.ort->SessionGetOutputName(S.session, 0, S.allocator, &S.output_name), "read the output's name");
    OrtTypeInfo *info;
    check(S.ort->SessionGetInputTypeInfo(S.session, 0, &info), "read the input's type");
    int64_t latent_dim = feature_size(info, "input");
    check(S.ort->SessionGetOutputTypeInfo(S.session, 0, &info), "read the output's type");
    int64_t pixels = feature_size(info, "output");
    int64_t side = (int64_t)llround(sqrt((double)pixels));
    if (side * side != pixels) fail(1, "the model's images have %lld pixels, not a square", (long long)pixels);

    S.latents = malloc(sizeof(float) * (size_t)(count * latent_dim));
    if (S.latents == NULL) fail(1, "out of memory");
    for (int i = 0; i < count; i++) parse_latent(latent_texts[i], i, S.latents + i * latent_dim, latent_dim);

    int64_t shape[2] = {count, latent_dim};
    check(S.ort->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &S.memory), "describe memory");
    check(S.ort->CreateTensorWithDataAsOrtValue(S.memory, S.latents, sizeof(float) * (size_t)(count * latent_dim),
                                                shape, 2, ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, &S.input),
          "make the input tensor");
    const char *input_names[] = {S.input_name};
    const char *output_names[] = {S.output_name};
    check(S.ort->Run(S.session, NULL, input_names, (const OrtValue *const *)&S.input, 1, output_names, 1,
                     &S.output),
          "run the model");

    OrtTensorTypeAndShapeInfo *result;
    size_t elements;
    check(S.ort->GetTensorTypeAndShape(S.output, &result), "read the output's shape");
    check(S.ort->GetTensorShapeElementCount(result, &elements), "read the output's shape");
    S.ort->ReleaseTensorTypeAndShapeInfo(result);
    if (elements != (size_t)(count * pixels))
        fail(1, "the model returned %zu values for %d images of %lld pixels", elements, count, (long long)pixels);
    float *images;
    check(S.ort->GetTensorMutableData(S.output, (void **)&images), "read the output");
    /* As the Python runtime: the sigmoid can land a hair outside [0, 1]. */
    for (size_t i = 0; i < elements; i++) images[i] = fminf(fmaxf(images[i], 0.0f), 1.0f);

    /* The grid: ceil(sqrt(n)) columns, PADDING black pixels around and between the images. */
    int64_t columns = 1;
    while (columns * columns < count) columns++;
    int64_t rows = (count + columns - 1) / columns;
    int64_t width = columns * (side + PADDING) + PADDING, height = rows * (side + PADDING) + PADDING;
    S.grid = calloc((size_t)(width * height), 1);
    if (S.grid == NULL) fail(1, "out of memory");
    for (int64_t n = 0; n < count; n++) {
        int64_t top = PADDING + (n / columns) * (side + PADDING), left = PADDING + (n % columns) * (side + PADDING);
        for (int64_t y = 0; y < side; y++)
            for (int64_t x = 0; x < side; x++)
                S.grid[(top + y) * width + left + x] = (unsigned char)lrintf(images[(n * side + y) * side + x] * 255.0f);
    }
    char header[64];
    snprintf(header, sizeof header, "P5\n%lld %lld\n255\n", (long long)width, (long long)height);
    /* Both files complete before either takes its name: a failure leaves neither. */
    write_temporary(0, pgm_path, header, S.grid, (size_t)(width * height));
    if (raw_path != NULL) write_temporary(1, raw_path, "", images, sizeof(float) * elements);
    publish(0, pgm_path);
    if (raw_path != NULL) publish(1, raw_path);

    release_all();
    return 0;
}
