print("decaybench")
