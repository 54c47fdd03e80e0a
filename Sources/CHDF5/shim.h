// HDF5's type and flag "constants" are macros that expand to function calls or
// globals, which Swift cannot import; these getters make them visible.
#ifndef DECAYBENCH_CHDF5_SHIM_H
#define DECAYBENCH_CHDF5_SHIM_H

#include <hdf5.h>
#include <hdf5_hl.h>

static inline hid_t decaybench_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t decaybench_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t decaybench_h5t_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t decaybench_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t decaybench_h5t_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t decaybench_h5t_native_uint32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t decaybench_h5t_native_uint64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t decaybench_h5t_c_s1(void) { return H5T_C_S1; }
static inline hid_t decaybench_h5t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t decaybench_h5t_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t decaybench_h5t_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t decaybench_h5t_std_i32le(void) { return H5T_STD_I32LE; }
static inline hid_t decaybench_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t decaybench_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t decaybench_h5p_link_create(void) { return H5P_LINK_CREATE; }
static inline hsize_t decaybench_h5s_unlimited(void) { return H5S_UNLIMITED; }
static inline size_t decaybench_h5t_variable(void) { return H5T_VARIABLE; }
static inline unsigned decaybench_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned decaybench_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline unsigned decaybench_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned decaybench_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }

#endif
